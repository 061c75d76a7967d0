using System.Text;

namespace MLNet.Lstm.TsFiles;

/// <summary>
/// A <c>.ts</c> file's text, decoded line by line with a decoder that refuses invalid UTF-8: the
/// usual replacement character would make distinct labels (café, cafè) one class.
/// </summary>
internal static class StrictUtf8
{
    public static string Decode(byte[] bytes, string path)
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var text = new StringBuilder(bytes.Length);
        int start = 0;
        for (int line = 1; start <= bytes.Length; line++)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            int length = (end < 0 ? bytes.Length : end + 1) - start;
            try
            {
                text.Append(strict.GetString(bytes, start, length));
            }
            catch (DecoderFallbackException)
            {
                throw EvaluationThrow.TsNotUtf8(path, line);
            }
            if (end < 0)
            {
                break;
            }
            start = end + 1;
        }
        return text.ToString();
    }
}
