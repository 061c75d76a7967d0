using static System.FormattableString;

namespace MLNet.Lstm;

/// <summary>
/// Every exception MLNet.Lstm.Evaluation raises for bad input, in one place, so messages stay
/// consistent with each other and with the core's: each names the file or series, what was
/// expected and what was found. Every message is formatted with the invariant culture.
/// </summary>
internal static class EvaluationThrow
{
    public static FileNotFoundException TsFileMissing(string path) =>
        new(Invariant($".ts file '{path}' does not exist."), path);

    public static InvalidDataException TsGzipInvalid(string path, InvalidDataException inner) =>
        new(Invariant($".ts file '{path}': expected gzip data (the name ends in .gz), found bytes that do not decompress ({inner.Message.Trim()})."), inner);

    public static InvalidDataException TsGzipTooLarge(string path, long limit) =>
        new(Invariant($".ts file '{path}': expected text of at most {limit:N0} bytes once decompressed, found more."));

    public static InvalidDataException TsInvalid(string source, string why) =>
        new(Invariant($".ts file '{source}': {why}."));

    public static InvalidDataException TsLineInvalid(string source, int line, string why) =>
        new(Invariant($".ts file '{source}', line {line}: {why}."));

    public static InvalidDataException TsNotUtf8(string source, int line) =>
        new(Invariant($".ts file '{source}', line {line}: expected UTF-8 text, found bytes that are not valid UTF-8 (re-save the file as UTF-8)."));

    public static InvalidDataException TsLabelsMixed(string source, int line, int firstLine, bool labelled) =>
        new(Invariant($".ts file '{source}', line {line}: {(labelled ? "found a class label" : "found no class label")}, but the first data line (line {firstLine}) {(labelled ? "has none" : "has one")}; expected every line to have a label or none to (a @classLabel tag says which)."));

    public static InvalidDataException TsLabelMissing(string source, int line) =>
        new(Invariant($".ts file '{source}', line {line}: @classLabel is true, but the line has no class label after its values; expected values:label."));

    // NAB scoring. A series is named by its path under NAB's data/ folder;
    // rows are counted from 0, lines of a file from 1.
    private static string NabText(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string NabText(DateTime timestamp) => timestamp.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);

    public static ArgumentOutOfRangeException NabWeightInvalid(string parameter, double value) =>
        new(parameter, Invariant($"NAB profile: expected {parameter} to be a finite weight of at least 0, found {NabText(value)}."));

    public static ArgumentException NabLengthsDiffer(string series, int timestamps, int values) =>
        new(Invariant($"NAB series '{series}': expected one value per timestamp, found {timestamps} timestamps and {values} values."), "values");

    public static ArgumentException NabRowOutsideItsWindow(string series, int row, DateTime timestamp, int window, DateTime start, DateTime end) =>
        new(Invariant($"NAB series '{series}', row {row}: it lies between the rows that open and close window {window} ({NabText(start)} to {NabText(end)}), but its timestamp {NabText(timestamp)} is outside the window; expected the rows in time order (sort them by timestamp)."), "timestamps");

    public static ArgumentException NabRowInsideAnotherWindow(string series, int row, DateTime timestamp, int window, DateTime start, DateTime end) =>
        new(Invariant($"NAB series '{series}', row {row}: its timestamp {NabText(timestamp)} lies inside window {window} ({NabText(start)} to {NabText(end)}), but the row is outside the rows that open and close it; expected the rows in time order (sort them by timestamp)."), "timestamps");

    // The window checks carry no parameter name: NabCorpus.Load passes their message on, naming the labels file.
    public static ArgumentException NabWindowNoRow(string series, int window, string edge, DateTime timestamp) =>
        new(Invariant($"NAB series '{series}', window {window}: its {edge} {NabText(timestamp)} matches no row's timestamp; expected each window to start and end on a row of the series."));

    public static ArgumentException NabWindowReversed(string series, int window, DateTime start, int startRow, DateTime end, int endRow) =>
        new(Invariant($"NAB series '{series}', window {window}: it ends at {NabText(end)} (row {endRow}) before it starts at {NabText(start)} (row {startRow})."));

    public static ArgumentException NabWindowsOverlap(string series, int window, DateTime start, int startRow, int previousEndRow) =>
        new(Invariant($"NAB series '{series}', window {window}: it starts at {NabText(start)} (row {startRow}), not after the end of window {window - 1} (row {previousEndRow}); expected the windows in time order, without overlap."));

    public static ArgumentOutOfRangeException NabThresholdNaN() =>
        new("threshold", "NAB scoring: expected a threshold, found NaN.");

    public static ArgumentException NabScoresCount(int series, int scores) =>
        new(Invariant($"NAB scoring: expected one array of anomaly scores per series, {series}, found {scores}."), "scores");

    public static ArgumentException NabCorpusUnlabelled(int series) =>
        new(Invariant($"NAB scoring: the corpus ({series} series) has no labelled anomaly window; expected at least one, since the normalised score is measured between the null detector (every window missed) and the perfect one (every window found), which are then equal."), "corpus");

    public static ArgumentException NabProfileWeighsNoWindow(string profile, double truePositive, double falseNegative) =>
        new(Invariant($"NAB profile '{profile}': true-positive weight {NabText(truePositive)} and false-negative weight {NabText(falseNegative)} give the perfect and the null detector the same score, so the normalised score is undefined; expected either weight above 0."), "profile");

    public static ArgumentException NabScoresMissing(string series, int index) =>
        new(Invariant($"NAB series '{series}': its anomaly scores (array {index}) are null."), "scores");

    public static ArgumentException NabScoresLength(string series, int rows, int scores) =>
        new(Invariant($"NAB series '{series}': expected {rows} anomaly scores, one per row, found {scores}."), "scores");

    public static ArgumentOutOfRangeException NabScoreInvalid(string series, int row, DateTime timestamp, double value) =>
        new("scores", Invariant($"NAB series '{series}', row {row} ({NabText(timestamp)}): expected an anomaly score in [0, 1], found {NabText(value)}."));

    public static DirectoryNotFoundException NabDataMissing(string folder) =>
        new(Invariant($"NAB corpus: the data folder '{folder}' does not exist; expected data/<category>/<series>.csv under the NAB root."));

    public static FileNotFoundException NabLabelsMissing(string path) =>
        new(Invariant($"NAB corpus: the labels file '{path}' does not exist; expected labels/combined_windows.json under the NAB root."), path);

    public static InvalidDataException NabLabelsInvalid(string path, string why, Exception? inner = null) =>
        new(Invariant($"NAB labels '{path}': {why.TrimEnd('.')}."), inner);

    public static InvalidDataException NabLineInvalid(string path, int line, string why) =>
        new(Invariant($"NAB data file '{path}', line {line}: {why}."));

    public static ArgumentNullException NabSeriesMissing(int index) =>
        new("corpus", Invariant($"NAB scoring: series {index} of the corpus is null."));
}
