using System.Buffers;
using System.Globalization;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>Reads a request body whole, refusing one over a limit before reading past it.</summary>
public static class RequestBody
{
    /// <summary>
    /// Bytes a body may have: a full batch of <see cref="ScoreRequest.MaxBatch"/> sequences of
    /// 500 values at 16 characters each (comma included) fits. Below Kestrel's own 30 MB limit, so an oversized
    /// body always meets this check (a 400 naming the limit) rather than Kestrel's.
    /// </summary>
    public const long MaxBytes = 8 * 1024 * 1024;

    /// <summary>Reads the body of <paramref name="request"/> and hands it to <paramref name="parse"/> while the bytes are still held.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, Func<ReadOnlySequence<byte>, T> parse, CancellationToken cancellation)
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }
        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellation);
            var buffer = read.Buffer;
            if (buffer.Length > MaxBytes)
            {
                reader.AdvanceTo(buffer.End);
                throw TooLarge();
            }
            if (read.IsCompleted)
            {
                try
                {
                    return parse(buffer);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static BadScoreRequestException TooLarge() =>
        new(string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the limit of {MaxBytes:N0} bytes."));
}
