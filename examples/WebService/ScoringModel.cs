using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>
/// A loaded model.zip ready to score from many threads: its featurizer's input column and
/// length, and a pool of PredictionEngines.
/// </summary>
public sealed class ScoringModel : IDisposable
{
    /// <summary>The column the featurizer's output is copied to, so a request can have it even when later steps rewrite "Features".</summary>
    public const string RepresentationColumn = "LstmRepresentation";

    private readonly ITransformer _loaded;
    private readonly ObjectPool<PredictionEngine<ScoringInput, ScoringOutput>> _engines;

    /// <summary>Loads <paramref name="modelZip"/>: a binary classifier whose pipeline holds one LSTM featurizer reading one known-size column.</summary>
    public ScoringModel(string modelZip)
    {
        var mlContext = new MLContext(seed: 1);
        _loaded = mlContext.Model.Load(modelZip, out var inputSchema);
        try
        {
            var steps = _loaded is IEnumerable<ITransformer> chain ? chain.ToList() : [_loaded];
            int at = steps.FindIndex(step => step is LstmFeaturizerTransformer);
            if (at < 0)
            {
                throw new InvalidDataException($"{modelZip} holds no LSTM featurizer.");
            }
            var featurizer = (LstmFeaturizerTransformer)steps[at];
            if (featurizer.InputColumnNames.Count != 1 || featurizer.SequenceLengthColumnName is not null)
            {
                throw new InvalidDataException($"{modelZip}: this service sends one column of sequences; its featurizer reads {string.Join(", ", featurizer.InputColumnNames)}{(featurizer.SequenceLengthColumnName is null ? "" : $" and the length column {featurizer.SequenceLengthColumnName}")}.");
            }
            InputColumnName = featurizer.InputColumnNames[0];
            InputLength = inputSchema.GetColumnOrNull(InputColumnName)?.Type is VectorDataViewType { IsKnownSize: true } vector ? vector.Size
                : throw new InvalidDataException($"{modelZip}: the input column '{InputColumnName}' must be a known-size vector, so that every request's length can be checked.");

            var input = SchemaDefinition.Create(typeof(ScoringInput));
            input[nameof(ScoringInput.Sequence)].ColumnName = InputColumnName;
            input[nameof(ScoringInput.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, InputLength);
            var scoring = WithRepresentationCopied(mlContext, steps, at, featurizer.OutputColumnName, mlContext.Data.LoadFromEnumerable(Array.Empty<ScoringInput>(), input));
            // The loaded model owns the transformers; engines share them and are disposed with the pool.
            var options = new PredictionEngineOptions { OwnsTransformer = false, InputSchemaDefinition = input };
            _engines = new DefaultObjectPoolProvider().Create(new EnginePolicy(() => mlContext.Model.CreatePredictionEngine<ScoringInput, ScoringOutput>(scoring, options)));
            // Fails here, at start-up, when the model is not a binary classifier.
            _engines.Return(_engines.Get());
        }
        catch
        {
            (_loaded as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The featurizer's input column.</summary>
    public string InputColumnName { get; }

    /// <summary>Values each sequence must have (T × F, time-major).</summary>
    public int InputLength { get; }

    /// <summary>Scores <paramref name="sequences"/> on one pooled engine; each must hold <see cref="InputLength"/> finite values.</summary>
    public ScoreResult[] Score(IReadOnlyList<float[]> sequences, bool representation)
    {
        var engine = _engines.Get();
        try
        {
            var results = new ScoreResult[sequences.Count];
            var row = new ScoringInput();
            for (int i = 0; i < results.Length; i++)
            {
                row.Sequence = sequences[i];
                var output = engine.Predict(row);
                results[i] = new ScoreResult(output.Score, output.Probability, output.PredictedLabel, representation ? output.Representation : null);
            }
            return results;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        (_engines as IDisposable)?.Dispose();
        (_loaded as IDisposable)?.Dispose();
    }

    /// <summary>The loaded steps with a copy of the featurizer's output inserted right after it; later steps are unchanged, so scores are too.</summary>
    private static TransformerChain<ITransformer> WithRepresentationCopied(MLContext mlContext, List<ITransformer> steps, int featurizerAt, string featurizerOutput, IDataView noRows)
    {
        var throughFeaturizer = new TransformerChain<ITransformer>([.. steps.Take(featurizerAt + 1)]);
        var copy = mlContext.Transforms.CopyColumns(RepresentationColumn, featurizerOutput).Fit(throughFeaturizer.Transform(noRows));
        return new TransformerChain<ITransformer>([.. steps.Take(featurizerAt + 1), copy, .. steps.Skip(featurizerAt + 1)]);
    }
}
