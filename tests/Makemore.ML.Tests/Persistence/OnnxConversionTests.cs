using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Data;

namespace Makemore.ML.Tests.Persistence;

/// <summary>
/// ML.NET's <c>ConvertToOnnx</c> on a pipeline with a Makemore transformer throws, naming our exporter (the catalog method
/// and the CLI command), instead of writing a graph that takes the scores as inputs and passes them through (issue 22);
/// the exporter it names writes the same pipeline, however it was loaded.
/// </summary>
[TestClass]
public sealed class OnnxConversionTests
{
    private static readonly MLContext Ml = new(seed: 1);

    private static ITransformer Fitted(IDataView train) =>
        Ml.Transforms.Text.MapCharactersToIds("Ids", "Name").Append(Ml.Makemore().Trainers.NGram(3, Smoothing.KneserNey())).Fit(train);

    private static void AssertConversionNamesExportToOnnx(ITransformer model, IDataView input)
    {
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<NotSupportedException>(() => Ml.Model.ConvertToOnnx(model, input, stream));
        StringAssert.Contains(error.Message, "mlContext.Makemore().ExportToOnnx(");
        StringAssert.Contains(error.Message, "makemore export -m MODEL.zip --format onnx");
        Assert.AreEqual(0L, stream.Length, "nothing may be written before the refusal");
        AssertExportToOnnxWritesTheModel(model);
    }

    // What the message recommends works on the same pipeline: a graph with the contract's input and output.
    private static void AssertExportToOnnxWritesTheModel(ITransformer model)
    {
        using var stream = new MemoryStream();
        Ml.Makemore().ExportToOnnx(model, stream);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(stream.ToArray());
        Assert.AreEqual("idx", session.InputMetadata.Keys.Single());
        Assert.AreEqual("log_probs", session.OutputMetadata.Keys.Single());
    }

    [TestMethod]
    public void FittedPipelineRefusesConversion()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        AssertConversionNamesExportToOnnx(Fitted(train), train);
    }

    [TestMethod]
    public void FittedPipelineFollowedByABuiltInTransformRefusesConversion()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var model = Ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
            .Append(Ml.Makemore().Trainers.NGram(2))
            .Append(Ml.Transforms.NormalizeMinMax("Scaled", "NllPerCharacter"))
            .Fit(train);
        AssertConversionNamesExportToOnnx(model, train);
    }

    [TestMethod]
    public void PipelineLoadedWithMakemoreLoadRefusesConversion()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var loaded = SaveAndLoad(Fitted(train), train, path => new MLContext().Makemore().Load(path, out _));
        AssertConversionNamesExportToOnnx(loaded, train);
    }

    // Model.Load returns only ML.NET's own transformers, none of ours, so the message is ML.NET's: the walk stops at our
    // CustomMapping and the scores it computes have no variable in the graph. Pinned so that it stays an error.
    [TestMethod]
    public void PipelineLoadedWithModelLoadStillFailsConversion()
    {
        var train = Ml.Data.LoadNames(TestData.Tiny);
        var loaded = SaveAndLoad(Fitted(train), train, path => new MLContext().Model.Load(path, out _));
        using var stream = new MemoryStream();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => Ml.Model.ConvertToOnnx(loaded, train, stream));
        StringAssert.Contains(error.Message, "can not be fully converted");
        Assert.AreEqual(0L, stream.Length);
        AssertExportToOnnxWritesTheModel(loaded);
    }

    [TestMethod]
    public void PipelineWithoutMakemoreTransformersStillConverts()
    {
        var data = Ml.Data.LoadFromEnumerable([new Row { X = 1f }, new Row { X = 3f }]);
        var model = Ml.Transforms.NormalizeMinMax("Scaled", "X").Fit(data);
        using var stream = new MemoryStream();
        Ml.Model.ConvertToOnnx(model, data, stream);
        Assert.IsTrue(stream.Length > 0);
    }

    private static ITransformer SaveAndLoad(ITransformer model, IDataView train, Func<string, ITransformer> load)
    {
        string path = Path.Combine(Path.GetTempPath(), $"makemore-{Guid.NewGuid():N}.zip");
        try
        {
            Ml.Model.Save(model, train.Schema, path);
            return load(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class Row
    {
        public float X { get; set; }
    }
}
