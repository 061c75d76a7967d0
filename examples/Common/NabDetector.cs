using System.Diagnostics;
using Microsoft.ML;
using MLNet.Lstm;
using MLNet.Lstm.Evaluation;

namespace MLNet.Lstm.Examples;

/// <summary>
/// The LSTM detector on NAB, by NAB's rules: per series, the library's streaming detector
/// (<c>mlContext.AnomalyDetection.CreateLstmDetector</c>) learns to forecast the next point from
/// the probationary period only, then scores every later point one LSTM step at a time, its
/// anomaly score the detector's. Nothing looks ahead.
/// </summary>
public static class NabDetector
{
    /// <summary>The detector's name in NAB's results layout.</summary>
    public const string Name = "mlnetLstm";

    /// <summary>
    /// Scores one series: 0 for the probationary points (the detector's history, in-sample), then
    /// one score in [0, 1] per point. <paramref name="streaming"/> times the later points alone.
    /// </summary>
    public static double[] Score(NabSeries series, Stopwatch streaming, LstmAnomalyDetectorOptions options)
    {
        var mlContext = new MLContext(seed: options.Seed);
        var values = new float[series.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)series.Values[i];
        }
        int probationary = series.ProbationaryLength;
        using var detector = mlContext.AnomalyDetection.CreateLstmDetector(values.AsSpan(0, probationary), options);
        var scores = new double[series.Length];
        streaming.Start();
        for (int i = probationary; i < scores.Length; i++)
        {
            scores[i] = detector.Predict(values[i]).Score;
        }
        streaming.Stop();
        return scores;
    }

    /// <summary>
    /// The untrained floor: the same engine and scoring, on an LSTM with the random weights
    /// training starts from (forget gates' bias raised by 1), standardizing the series by the
    /// probationary period's mean and deviation, as training would.
    /// What the detector scores above this is what learning earned.
    /// </summary>
    public static double[] ScoreUntrained(NabSeries series, Stopwatch streaming, LstmAnomalyDetectorOptions options)
    {
        int probationary = series.ProbationaryLength;
        double mean = 0, squares = 0;
        for (int i = 0; i < probationary; i++)
        {
            mean += series.Values[i];
            squares += series.Values[i] * series.Values[i];
        }
        mean /= probationary;
        double deviation = Math.Sqrt(Math.Max(squares / probationary - mean * mean, 0));
        var random = LstmModel.CreateRandom(1, options.HiddenSize, outputSize: 1, seed: options.Seed).GetWeights();
        // Training starts from such weights with the forget gates' bias raised (LstmTrainingOptions.ForgetGateBias);
        // so does the floor, so that it is the detector before its training. PyTorch stacks the gates i, f, g, o.
        var bias = random.GetCell(0, 0).BiasIh.AsSpan(options.HiddenSize, options.HiddenSize);
        foreach (ref float b in bias)
        {
            b += new LstmTrainingOptions().ForgetGateBias;
        }
        var model = LstmModel.FromWeights(new LstmWeights(random) { InputOffset = [(float)mean], InputScale = [deviation > 0 ? (float)(1 / deviation) : 1f] });
        var scoring = options.Scoring;
        using var engine = model.CreateTimeSeriesEngine(new LstmTimeSeriesOptions
        {
            TrainingPoints = probationary,
            AveragingWindow = scoring.AveragingWindow,
            HistoryLength = scoring.HistoryLength,
            WarmUpPoints = scoring.WarmUpPoints,
            ValueRangeTolerance = scoring.ValueRangeTolerance,
            ErrorTail = scoring.ErrorTail,
            NoveltyMemory = scoring.NoveltyMemory,
        });
        var scores = new double[series.Length];
        for (int i = 0; i < probationary; i++)
        {
            engine.Predict((float)series.Values[i]);
        }
        streaming.Start();
        for (int i = probationary; i < scores.Length; i++)
        {
            scores[i] = engine.Predict((float)series.Values[i]).Score;
        }
        streaming.Stop();
        return scores;
    }

    /// <summary>Fits and streams every series of the corpus; <paramref name="progress"/> hears one line per series.</summary>
    public static NabRun Run(IReadOnlyList<NabSeries> corpus, LstmAnomalyDetectorOptions options, Action<string>? progress = null) =>
        Run(corpus, (series, streaming) => Score(series, streaming, options), progress);

    /// <summary>Streams every series of the corpus through the untrained floor (<see cref="ScoreUntrained"/>).</summary>
    public static NabRun RunUntrained(IReadOnlyList<NabSeries> corpus, LstmAnomalyDetectorOptions options) =>
        Run(corpus, (series, streaming) => ScoreUntrained(series, streaming, options), null);

    private static NabRun Run(IReadOnlyList<NabSeries> corpus, Func<NabSeries, Stopwatch, double[]> score, Action<string>? progress)
    {
        var scores = new List<double[]>(corpus.Count);
        var total = Stopwatch.StartNew();
        var streaming = new Stopwatch();
        long points = 0;
        foreach (var series in corpus)
        {
            scores.Add(score(series, streaming));
            points += series.Length - series.ProbationaryLength;
            progress?.Invoke($"{series.Name}: {series.Length:N0} points, fitted on {series.ProbationaryLength}");
        }
        return new NabRun(scores, total.Elapsed - streaming.Elapsed, streaming.Elapsed, points);
    }
}

/// <summary>What <see cref="NabDetector.Run"/> produced.</summary>
/// <param name="Scores">Each series' per-point anomaly scores, in corpus order.</param>
/// <param name="Training">Time spent fitting the detectors on the probationary periods (training, and reading the history).</param>
/// <param name="Streaming">Time spent scoring the points after the probationary periods.</param>
/// <param name="Points">Points scored after the probationary periods.</param>
public sealed record NabRun(IReadOnlyList<double[]> Scores, TimeSpan Training, TimeSpan Streaming, long Points)
{
    /// <summary>Streaming throughput: points per second on one thread, training excluded.</summary>
    public double PointsPerSecond => Points / Streaming.TotalSeconds;
}
