using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore export</c>: write a saved model in a format another runtime reads.</summary>
internal static class ExportCommand
{
    /// <summary>One format: its name for <c>--format</c>, its file extension (the default output) and how it is written.</summary>
    private sealed record Format(string Name, string Extension, string Description, Action<MLContext, ITransformer, string> Write);

    // One line per format: the dispatch is this table.
    private static readonly Format[] Formats =
    [
        new("onnx", ".onnx", "ONNX: input idx, output log_probs (docs/interop.md)", (ml, model, path) => ml.Makemore().ExportToOnnx(model, path)),
    ];

    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var format = new Option<string>("--format", "-f")
        {
            Description = "The format to write: " + string.Join("; ", Formats.Select(f => f.Description)),
            DefaultValueFactory = _ => Formats[0].Name,
        };
        format.AcceptOnlyFromAmong([.. Formats.Select(f => f.Name)]);
        var target = new Option<string?>("--output", "-o") { Description = "The file to write (default: the model's path with the format's extension, e.g. model.onnx)" };
        var command = new Command("export", "Write a saved model in a format another runtime reads (ONNX: ONNX Runtime, ML.NET's ApplyOnnxModel, onnxruntime-web).\n" +
            "Example: makemore export -m names-model.zip --format onnx -o names-model.onnx")
        {
            model, format, target,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var chosen = Formats.Single(f => f.Name == parse.GetValue(format));
            string destination = parse.GetValue(target) ?? Path.ChangeExtension(path, chosen.Extension);
            OutputPaths.Check("--output", destination, ("-m", path));
            var ml = new MLContext();
            var loaded = Models.Load(ml, path);
            chosen.Write(ml, loaded, destination);
            output.WriteLine($"exported: {destination} ({chosen.Name}, {new FileInfo(destination).Length:N0} bytes): {MakemoreModel.GetLanguageModel(loaded)}");
            return 0;
        });
        return command;
    }
}
