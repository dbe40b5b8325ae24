using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Makemore.ML.Data;
using Makemore.ML.Tests;
using Makemore.ML.Text;
using static Makemore.Cli.Tests.Cli;

namespace Makemore.Cli.Tests;

/// <summary>
/// <c>makemore export --format onnx</c>: the file ONNX Runtime runs scores the model's test part with the NLL that
/// <c>makemore eval</c> prints (within 1e-5 nats per character, issue 22), and the command's checks and exit codes.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class CliExportTests
{
    private static string _folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("makemore-export-").FullName;
        File.WriteAllLines(InFolder("names.txt"), File.ReadLines(TestData.BundledNamesPath).Take(3000));
        Assert.AreEqual(0, Run("train", "ngram", "-i", InFolder("names.txt"), "-o", InFolder("kn.zip"), "--order", "5", "--smoothing", "kneser-ney", "--samples", "0").Code);
    }

    [ClassCleanup]
    public static void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string InFolder(string name) => Path.Combine(_folder, name);

    // ONNX Runtime's mean NLL per character on the lecture split's test part of the folder's names, one name per run.
    private static double OnnxTestNll(string onnx)
    {
        using var session = new InferenceSession(onnx);
        var symbols = JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap["vocabulary"])!;
        var test = NameSplitter.Split(NameList.Read(InFolder("names.txt"))).Test;
        double sum = 0;
        long count = 0;
        foreach (string name in test)
        {
            var idx = new DenseTensor<long>([1, name.Length + 1]);
            for (int t = 0; t < name.Length; t++)
                idx[0, t + 1] = Array.IndexOf(symbols, name[t].ToString()) + 1;
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("idx", idx)]);
            var logProbs = results[0].AsTensor<float>();
            for (int t = 0; t <= name.Length; t++)
                sum -= logProbs[0, t, t < name.Length ? (int)idx[0, t + 1] : 0];
            count += name.Length + 1;
        }
        return sum / count;
    }

    private static double EvalNll(string zip)
    {
        var eval = Run("eval", "-m", zip, "--json");
        Assert.AreEqual(0, eval.Code, eval.Error);
        return JsonDocument.Parse(eval.Output).RootElement.GetProperty("nll").GetDouble();
    }

    [TestMethod]
    public void AnExportedCountModelScoresTheTestPartAsEvalDoes()
    {
        var run = Run("export", "-m", InFolder("kn.zip"), "--format", "onnx", "-o", InFolder("kn.onnx"));
        Assert.AreEqual(0, run.Code, run.Error);
        StringAssert.StartsWith(run.Output, $"exported: {InFolder("kn.onnx")} (onnx, ");
        Assert.AreEqual(EvalNll(InFolder("kn.zip")), OnnxTestNll(InFolder("kn.onnx")), 1e-5);
        using var session = new InferenceSession(InFolder("kn.onnx"));
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.AreEqual(DataProvenance.HashFile(InFolder("names.txt")), metadata[DataProvenance.Sha256Key], "the provenance is carried");
        Assert.AreEqual("lecture", metadata[DataProvenance.SplitKey]);
        Assert.AreEqual("4", metadata["block_size"]);
    }

    [TestMethod]
    [DataRow("softmax", "--block-size", "2", "--steps", "50")]
    [DataRow("bn-mlp", "--steps", "50", "--n-embd", "4", "--n-hidden", "16", "--eval-every", "50")]
    [DataRow("wavenet", "--steps", "50", "--n-embd", "4", "--n-hidden", "16", "--eval-every", "50")]
    public void AnExportedTrainedModelScoresTheTestPartAsEvalDoes(string type, params string[] flags)
    {
        string zip = InFolder(type + ".zip");
        var train = Run(["train", type, "-i", InFolder("names.txt"), "-o", zip, "--samples", "0", "-q", .. flags]);
        Assert.AreEqual(0, train.Code, train.Error);
        var run = Run("export", "-m", zip);
        Assert.AreEqual(0, run.Code, run.Error);
        Assert.IsTrue(File.Exists(InFolder(type + ".onnx")), "the default output is the model's path with .onnx");
        Assert.AreEqual(EvalNll(zip), OnnxTestNll(InFolder(type + ".onnx")), 1e-5);
    }

    [TestMethod]
    public void TheOutputMayNotBeTheModel()
    {
        byte[] before = File.ReadAllBytes(InFolder("kn.zip"));
        var run = Run("export", "-m", InFolder("kn.zip"), "-o", InFolder("kn.zip"));
        Assert.AreEqual(2, run.Code);
        StringAssert.Contains(run.Error, "is the input file");
        CollectionAssert.AreEqual(before, File.ReadAllBytes(InFolder("kn.zip")), "the model is untouched");
    }

    [TestMethod]
    public void AnUnknownFormatOrAMissingModelIsAUsageError()
    {
        var format = Run("export", "-m", InFolder("kn.zip"), "--format", "tflite", "-o", InFolder("x.tflite"));
        Assert.AreEqual(2, format.Code);
        StringAssert.Contains(format.Error, "tflite");
        var missing = Run("export", "-m", InFolder("nothing.zip"), "-o", InFolder("nothing.onnx"));
        Assert.AreEqual(2, missing.Code);
        StringAssert.Contains(missing.Error, "no such model");
        Assert.IsFalse(File.Exists(InFolder("x.tflite")) || File.Exists(InFolder("nothing.onnx")), "nothing is written");
    }
}
