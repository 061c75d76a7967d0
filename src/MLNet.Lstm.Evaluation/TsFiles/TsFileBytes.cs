using System.IO.Compression;

namespace MLNet.Lstm.TsFiles;

/// <summary>
/// A <c>.ts</c> file's bytes: read whole, and decompressed when its name ends in <c>.gz</c>
/// (archives of the UCR/UEA sets are often kept gzipped). A decompressed file is held to the
/// size of one array, so a small crafted <c>.gz</c> cannot expand without bound.
/// </summary>
internal static class TsFileBytes
{
    private const int CopyBufferBytes = 81_920;

    public static byte[] Read(string path)
    {
        if (!File.Exists(path))
        {
            throw EvaluationThrow.TsFileMissing(path);
        }
        try
        {
            return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? Decompress(path) : File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            // File.Exists is true for a symlink whose target is gone (or a file deleted since).
            throw EvaluationThrow.TsFileMissing(path);
        }
    }

    private static byte[] Decompress(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var text = new MemoryStream();
        var buffer = new byte[CopyBufferBytes];
        int read;
        while ((read = ReadChunk(gzip, buffer, path)) > 0)
        {
            if (text.Length + read > Array.MaxLength)
            {
                throw EvaluationThrow.TsGzipTooLarge(path, Array.MaxLength);
            }
            text.Write(buffer, 0, read);
        }
        return text.ToArray();
    }

    private static int ReadChunk(GZipStream gzip, byte[] buffer, string path)
    {
        try
        {
            return gzip.Read(buffer);
        }
        catch (InvalidDataException e)
        {
            throw EvaluationThrow.TsGzipInvalid(path, e);
        }
    }
}
