using System.Globalization;

namespace MLNet.Lstm.TsFiles;

internal sealed partial class TsFileParser
{
    /// <summary>Reads a header line, <c>@tag value…</c>; tags it does not know are skipped.</summary>
    private void ReadTag(string text)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string tag = parts[0].ToLowerInvariant();
        string? value = parts.Length > 1 ? parts[1] : null;
        switch (tag)
        {
            case "@problemname": _problemName = value; break;
            case "@univariate": if (Flag(value, tag) is true) { _dimensions = 1; } break;
            case "@dimensions": _dimensions = Number(value, tag); break;
            case "@equallength": _equalLength = Flag(value, tag); break;
            case "@classlabel":
                _hasLabels = Flag(value, tag);
                _declaredLabels = _hasLabels == true ? [.. parts.Skip(2)] : null;
                break;
            case "@timestamps":
                if (Flag(value, tag) is true)
                {
                    throw Malformed("@timeStamps true is not supported; expected series of plain values");
                }
                break;
        }
    }

    private bool? Flag(string? value, string tag) => value?.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw Malformed($"{tag}: expected true or false, found '{value}'"),
    };

    private int Number(string? value, string tag) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw Malformed($"{tag}: expected a positive whole number, found '{value}'");
}
