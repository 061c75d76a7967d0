namespace MLNet.Lstm.Evaluation;

/// <summary>
/// The profile-independent half of NAB's <c>Sweeper.calcSweepScore</c> (nab/sweeper.py): for each
/// row, the window it lies in and the unweighted scaled sigmoid of its position.
/// </summary>
internal static class NabSweep
{
    /// <summary>Marks a row outside every window.</summary>
    public const int NoWindow = -1;

    /// <summary>
    /// NAB's <c>scaledSigmoid</c>: about 0.987 at the left edge of a window (-1), 0 at its right edge (0),
    /// falling towards -1 for false alarms farther past a window, and exactly -1 beyond 3 window lengths.
    /// </summary>
    public static double ScaledSigmoid(double relativePosition) =>
        relativePosition > 3.0 ? -1.0 : 2 * Sigmoid(-5 * relativePosition) - 1.0;

    /// <summary>NAB's <c>maxTP</c>: the sigmoid of the earliest detection, which NAB divides by so it earns exactly tpWeight.</summary>
    public static readonly double MaxTruePositive = ScaledSigmoid(-1.0);

    /// <summary>
    /// Walks the rows as NAB does, entering a window at the first row whose timestamp equals its
    /// start and leaving it after the first row whose timestamp equals its end. NAB matches
    /// timestamps, not positions, and some NAB series repeat timestamps, so this follows it literally.
    /// </summary>
    /// <param name="timestamps">The series' timestamps.</param>
    /// <param name="windows">The windows, in order, each start and end the timestamp of a row.</param>
    /// <param name="firstRow">The first row holding each timestamp (NAB's <c>timestamps.index</c>).</param>
    /// <param name="rowWindow">Receives, per row, its window's index or <see cref="NoWindow"/>.</param>
    /// <param name="rowSigmoid">Receives, per row, the unweighted scaled sigmoid of its position.</param>
    public static void Run(ReadOnlySpan<DateTime> timestamps, IReadOnlyList<NabWindow> windows, IReadOnlyDictionary<DateTime, int> firstRow,
        Span<int> rowWindow, Span<double> rowSigmoid)
    {
        int next = 0;
        int current = NoWindow;
        int currentRight = 0;
        double currentWidth = 0;
        int previousRight = NoWindow;
        double previousWidth = 0;
        for (int i = 0; i < timestamps.Length; i++)
        {
            if (next < windows.Count && timestamps[i] == windows[next].Start)
            {
                current = next++;
                currentRight = firstRow[windows[current].End];
                currentWidth = currentRight - firstRow[windows[current].Start] + 1;
            }

            if (current != NoWindow)
            {
                // NAB's "+ 1" puts the first row at -1 and the last at -1/width, never at 0.
                rowSigmoid[i] = ScaledSigmoid(-(currentRight - i + 1) / currentWidth);
            }
            else if (previousRight == NoWindow)
            {
                // No window yet: NAB treats the row as infinitely far from any window.
                rowSigmoid[i] = -1.0;
            }
            else
            {
                // After a one-row window NAB divides by zero (a Python error); here the row is
                // infinitely far past it, so it costs the full false-positive weight.
                rowSigmoid[i] = ScaledSigmoid(Math.Abs(previousRight - i) / (previousWidth - 1));
            }

            rowWindow[i] = current;
            if (current != NoWindow && timestamps[i] == windows[current].End)
            {
                previousRight = i;
                previousWidth = currentWidth;
                current = NoWindow;
            }
        }
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
