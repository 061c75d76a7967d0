using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using MLNet.Lstm.Data;
using MLNet.Lstm.Onnx;

namespace MLNet.Lstm;

/// <summary>
/// Writes the featurizer's graph into ML.NET's ONNX export context: the sequence column(s),
/// [N, T·F] or F × [N, T] in ML.NET's ONNX model, reshaped to [N, T, F]; every initializer and
/// node of the representation graph under names of their own (standard domain: the context's
/// default is ai.onnx.ml); its output as the featurizer's output column, all NaN for a row
/// holding NaN or infinity, as the pipeline gives it.
/// </summary>
internal static class OnnxExportWriter
{
    public static void Write(OnnxContext ctx, SequenceInputBinding binding, OnnxExportGraph graph)
    {
        ctx.CheckOpSetVersion(OnnxExportGraph.MinimumOpset, "LstmFeaturizer");
        if (binding.LengthColumnIndex is int lengthColumn)
        {
            throw LstmThrow.OnnxExportLengthColumn(binding.InputSchema[lengthColumn].Name);
        }
        // The context reserves a node name only when a node takes it: the sequence's node takes
        // this one, so a second featurizer in the pipeline gets another prefix for its names.
        string featurizer = ctx.GetNodeName("LstmFeaturizer");
        string prefix = featurizer + "/";
        var names = new Dictionary<string, string>
        {
            [graph.InputName] = SequenceInput(ctx, binding, featurizer, prefix),
        };
        foreach (var initializer in graph.Initializers)
        {
            // A scalar (rank 0, PyTorch's constants) has its own overloads: the array ones multiply the dimensions.
            names[initializer.Name] = (initializer.Floats, initializer.Longs, initializer.Dims.Length) switch
            {
                ({ } floats, _, 0) => ctx.AddInitializer(floats[0], prefix + initializer.Name),
                ({ } floats, _, _) => ctx.AddInitializer(floats, initializer.Dims, prefix + initializer.Name),
                (_, { } longs, 0) => ctx.AddInitializer(longs[0], prefix + initializer.Name),
                (_, { } longs, _) => ctx.AddInitializer(longs, initializer.Dims, prefix + initializer.Name),
                _ => throw new InvalidOperationException("An exported initializer holds floats or int64s."),
            };
        }
        string features = prefix + "features";
        names[graph.OutputName] = features;
        foreach (var node in graph.Nodes)
        {
            var inputs = Array.ConvertAll(node.Inputs, name => name.Length == 0 ? name : names.GetValueOrDefault(name, prefix + name));
            var outputs = Array.ConvertAll(node.Outputs, name => name.Length == 0 ? name : names.GetValueOrDefault(name, prefix + name));
            var written = ctx.CreateNode(node.OpType, inputs, outputs, ctx.GetNodeName(prefix + node.OpType), "");
            foreach (var a in node.Attributes)
            {
                if (a.Int is long i)
                {
                    written.AddAttribute(a.Name, i);
                }
                else if (a.Float is float f)
                {
                    written.AddAttribute(a.Name, (double)f);
                }
                else if (a.Text is { } text)
                {
                    written.AddAttribute(a.Name, text);
                }
                else if (a.Ints is { } ints)
                {
                    written.AddAttribute(a.Name, ints);
                }
                else if (a.Floats is { } floats)
                {
                    written.AddAttribute(a.Name, floats);
                }
                else
                {
                    written.AddAttribute(a.Name, a.Texts!);
                }
            }
        }
        MissingForNonFinite(ctx, binding, names[graph.InputName], features, graph.OutputSize, prefix);
    }

    /// <summary>
    /// The featurizer's output column: the graph's features, all NaN for a row holding NaN or
    /// infinity, as the pipeline gives it (ONNX Runtime's LSTM would turn such a row into finite
    /// numbers). x − x is 0 where x is finite and NaN elsewhere; its sum over the row is added.
    /// </summary>
    private static void MissingForNonFinite(OnnxContext ctx, SequenceInputBinding binding, string sequence, string features, int size, string prefix)
    {
        string difference = prefix + "nonfinite", sum = prefix + "nonfinite_sum", column = prefix + "nonfinite_column";
        ctx.CreateNode("Sub", [sequence, sequence], [difference], ctx.GetNodeName(prefix + "Sub"), "");
        var reduce = ctx.CreateNode("ReduceSum", [difference], [sum], ctx.GetNodeName(prefix + "ReduceSum"), "");
        reduce.AddAttribute("axes", new long[] { 1, 2 });
        reduce.AddAttribute("keepdims", 0L);
        var unsqueeze = ctx.CreateNode("Unsqueeze", [sum], [column], ctx.GetNodeName(prefix + "Unsqueeze"), "");
        unsqueeze.AddAttribute("axes", new long[] { 1 });
        string outputColumn = binding.OutputSchema[binding.OutputColumnIndex].Name;
        string output = ctx.AddIntermediateVariable(new VectorDataViewType(NumberDataViewType.Single, size), outputColumn);
        ctx.CreateNode("Add", [features, column], [output], ctx.GetNodeName(prefix + "Add"), "");
    }

    /// <summary>The [N, T, F] tensor from the sequence column, or from the F feature columns.</summary>
    private static string SequenceInput(OnnxContext ctx, SequenceInputBinding binding, string featurizer, string prefix)
    {
        int features = binding.InputSize;
        var columns = Array.ConvertAll(binding.ColumnIndices, i => binding.InputSchema[i]);
        foreach (var column in columns)
        {
            if (column.Type is not VectorDataViewType { Size: > 0 })
            {
                throw LstmThrow.OnnxExportInput(column.Name, $"holds sequences of varying length ({column.Type})");
            }
        }
        string sequence = prefix + "sequence";
        if (columns.Length == 1)
        {
            long steps = ((VectorDataViewType)columns[0].Type).Size / features;
            string shape = ctx.AddInitializer([-1L, steps, features], [3L], prefix + "sequence_shape");
            ctx.CreateNode("Reshape", [ctx.GetVariableName(columns[0].Name), shape], [sequence], featurizer, "");
            return sequence;
        }
        long length = ((VectorDataViewType)columns[0].Type).Size;
        string featureShape = ctx.AddInitializer([-1L, length, 1L], [3L], prefix + "feature_shape");
        var perFeature = new string[columns.Length];
        for (int f = 0; f < columns.Length; f++)
        {
            perFeature[f] = $"{prefix}feature{f}";
            ctx.CreateNode("Reshape", [ctx.GetVariableName(columns[f].Name), featureShape], [perFeature[f]], ctx.GetNodeName(prefix + "Reshape"), "");
        }
        var concat = ctx.CreateNode("Concat", perFeature, [sequence], featurizer, "");
        concat.AddAttribute("axis", 2L);
        return sequence;
    }
}
