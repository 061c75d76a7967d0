using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>
/// A checked <c>POST /score</c> body: <c>{"sequence":[...]}</c> or <c>{"sequences":[[...],...]}</c>,
/// and optionally <c>"representation": true</c>. Anything else is a <see cref="BadScoreRequestException"/>.
/// </summary>
/// <param name="Sequences">The sequences to score, each of the model's input length, every value finite.</param>
/// <param name="IsBatch">Whether the body used "sequences" (the answer is then a list).</param>
/// <param name="Representation">Whether the body asked for the featurizer's output.</param>
public sealed record ScoreRequest(float[][] Sequences, bool IsBatch, bool Representation)
{
    /// <summary>
    /// Sequences one request may carry. Each request holds one pooled engine for all its
    /// sequences, so a larger batch would keep an engine (and a core) from other clients for long.
    /// </summary>
    public const int MaxBatch = 1_000;

    // Duplicate keys would leave it unclear which "sequence" was scored.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Parses and checks <paramref name="body"/> against the model's <paramref name="inputLength"/>.</summary>
    public static ScoreRequest Parse(ReadOnlySequence<byte> body, int inputLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, Strict);
        }
        catch (JsonException e)
        {
            throw new BadScoreRequestException($"The request body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            return Parse(document.RootElement, inputLength);
        }
    }

    private static ScoreRequest Parse(JsonElement root, int inputLength)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new BadScoreRequestException($"The request body must be a JSON object with \"sequence\" (an array of numbers) or \"sequences\" (an array of such arrays); found {Kind(root)}.");
        }
        JsonElement? single = null, batch = null;
        bool representation = false;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "sequence":
                    single = property.Value;
                    break;
                case "sequences":
                    batch = property.Value;
                    break;
                case "representation":
                    representation = property.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw new BadScoreRequestException($"\"representation\" must be true or false; found {Kind(property.Value)}."),
                    };
                    break;
                default:
                    throw new BadScoreRequestException($"Unknown property \"{property.Name}\": the body takes \"sequence\" or \"sequences\", and optionally \"representation\".");
            }
        }
        return (single, batch) switch
        {
            ({ } one, null) => new ScoreRequest([Sequence(one, "sequence", inputLength)], IsBatch: false, representation),
            (null, { } many) => new ScoreRequest(Batch(many, inputLength), IsBatch: true, representation),
            (null, null) => throw new BadScoreRequestException("The request body has neither \"sequence\" nor \"sequences\"."),
            _ => throw new BadScoreRequestException("The request body has both \"sequence\" and \"sequences\"; send one of them."),
        };
    }

    private static float[][] Batch(JsonElement many, int inputLength)
    {
        if (many.ValueKind != JsonValueKind.Array)
        {
            throw new BadScoreRequestException($"\"sequences\" must be an array of arrays of numbers; found {Kind(many)}.");
        }
        int count = many.GetArrayLength();
        if (count == 0)
        {
            throw new BadScoreRequestException("\"sequences\" is empty; send at least one sequence.");
        }
        if (count > MaxBatch)
        {
            throw new BadScoreRequestException(string.Create(CultureInfo.InvariantCulture, $"\"sequences\" holds {count:N0} sequences; a request may hold at most {MaxBatch:N0}."));
        }
        var sequences = new float[count][];
        int i = 0;
        foreach (var element in many.EnumerateArray())
        {
            sequences[i] = Sequence(element, $"sequences[{i}]", inputLength);
            i++;
        }
        return sequences;
    }

    private static float[] Sequence(JsonElement element, string path, int inputLength)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw new BadScoreRequestException($"\"{path}\" must be an array of numbers; found {Kind(element)}.");
        }
        int length = element.GetArrayLength();
        if (length != inputLength)
        {
            throw new BadScoreRequestException($"\"{path}\": expected {inputLength} values, found {length}.");
        }
        var values = new float[length];
        int t = 0;
        foreach (var value in element.EnumerateArray())
        {
            values[t] = Value(value, $"{path}[{t}]");
            t++;
        }
        return values;
    }

    private static float Value(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetSingle(out float number) && float.IsFinite(number)
                ? number
                : throw new BadScoreRequestException($"\"{path}\" is {value.GetRawText()}, outside the range of a 32-bit float.");
        }
        // Serializers with named floating-point literals on write NaN and infinity as strings.
        if (value.ValueKind == JsonValueKind.String && value.GetString() is "NaN" or "Infinity" or "-Infinity")
        {
            throw new BadScoreRequestException($"\"{path}\" is \"{value.GetString()}\": NaN and infinity cannot be scored (the featurizer's output for such a sequence is all NaN); replace missing values before sending.");
        }
        throw new BadScoreRequestException($"\"{path}\" must be a number; found {Kind(value)}.");
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
