using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore export</c>: write a saved model in a format another runtime reads (ONNX, makemore.py's model.pt).</summary>
internal static class ExportCommand
{
    /// <summary>What one export is asked to do.</summary>
    private sealed record Request(MLContext Ml, ITransformer Model, string ModelPath, string Destination, string? Words, TextWriter Output);

    /// <summary>
    /// One format: its name for <c>--format</c>, its default output beside the model (null: <c>-o</c> is required), whether it
    /// reads a words file (<c>-i</c>), and how it is written.
    /// </summary>
    private sealed record Format(string Name, string? Extension, bool TakesWords, string Description, Action<Request> Write);

    // One line per format: the dispatch is this table.
    private static readonly Format[] Formats =
    [
        new("onnx", ".onnx", TakesWords: false, "onnx: ONNX, input idx, output log_probs (docs/interop.md)", WriteOnnx),
        new("makemore-py", null, TakesWords: true, "makemore-py: makemore.py's model.pt, loaded with --resume --sample-only and the flags printed",
            r => MakemorePyExporter.Write(r.Model, r.ModelPath, r.Destination, r.Words, r.Output)),
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
        var target = new Option<string?>("--output", "-o") { Description = "The file to write (onnx: default the model's path with .onnx; makemore-py: required, makemore.py reads WORK_DIR/model.pt)" };
        var words = new Option<string?>("--input", "-i") { Description = "makemore-py: the words file makemore.py will read (default: the model's training data, from its provenance)" };
        var command = new Command("export", "Write a saved model in a format another runtime reads: ONNX (ONNX Runtime, ML.NET's ApplyOnnxModel, onnxruntime-web)\n" +
            "or makemore.py's model.pt (transformer, bow, rnn, gru, one-level mlp, and block-1 models as its bigram; the makemore.py flags that load it are printed).\n" +
            "Example: makemore export -m names-model.zip --format onnx -o names-model.onnx\n" +
            "         makemore export -m gru.zip --format makemore-py -o out/model.pt")
        {
            model, format, target, words,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var chosen = Formats.Single(f => f.Name == parse.GetValue(format));
            string? wordsFile = parse.GetValue(words);
            if (wordsFile is not null && !chosen.TakesWords)
                throw new UsageException($"-i is for --format {string.Join(", ", Formats.Where(f => f.TakesWords).Select(f => f.Name))}; --format {chosen.Name} writes the model alone");
            string destination = parse.GetValue(target)
                ?? (chosen.Extension is { } extension ? Path.ChangeExtension(path, extension)
                    : throw new UsageException($"--format {chosen.Name} needs -o (the file to write)"));
            OutputPaths.Check("--output", destination, ("-m", path));
            var ml = new MLContext();
            chosen.Write(new Request(ml, Models.Load(ml, path), path, destination, wordsFile, output));
            return 0;
        });
        return command;
    }

    private static void WriteOnnx(Request request)
    {
        request.Ml.Makemore().ExportToOnnx(request.Model, request.Destination);
        request.Output.WriteLine($"exported: {request.Destination} (onnx, {new FileInfo(request.Destination).Length:N0} bytes): {MakemoreModel.GetLanguageModel(request.Model)}");
    }
}
