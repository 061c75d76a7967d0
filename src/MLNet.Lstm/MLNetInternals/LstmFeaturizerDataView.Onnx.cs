using Microsoft.ML;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.Lstm.Data;

/// <summary>
/// ONNX export through ML.NET's converter (<c>mlContext.Model.ConvertToOnnx</c>): the converter
/// walks back from the pipeline's last view through <c>IDataTransform.Source</c> and asks each
/// view to write itself (<c>ITransformCanSaveOnnx</c>, internal to Microsoft.ML.Data). A view that
/// is not one ends the walk and its columns become graph inputs — a model without the
/// featurizer, produced without a word. So the featurizer's view is one, and writes its whole
/// graph; what it cannot write it refuses by throwing, and the export fails as a whole.
/// </summary>
internal sealed partial class LstmFeaturizerDataView : ITransformCanSaveOnnx
{
    public bool CanSaveOnnx(OnnxContext ctx) => true;

    public void SaveAsOnnx(OnnxContext ctx) => OnnxExportWriter.Write(ctx, Binding, ExportGraph());

    void ICanSaveModel.Save(ModelSaveContext ctx) => throw LstmThrow.DataViewNotSavable();
}
