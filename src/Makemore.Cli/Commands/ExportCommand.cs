using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Persistence;
using Makemore.ML.TorchSharp.Interop;

namespace Makemore.Cli.Commands;

/// <summary><c>makemore export</c>: a saved model in another engine's format (here makemore.py's model.pt).</summary>
internal static class ExportCommand
{
    public static Command Create(TextWriter output)
    {
        var model = CommonOptions.Model();
        var format = new Option<string>("--format") { Description = "makemore-py: a model.pt that makemore.py loads with --resume --sample-only", Required = true };
        var file = new Option<string>("--output", "-o") { Description = "File to write (makemore.py reads WORK_DIR/model.pt)", Required = true };
        var input = new Option<string?>("--input", "-i") { Description = "makemore-py: the words file makemore.py will read (default: the model's training data, from its provenance)" };
        var command = new Command("export", "Write a saved model for another engine.\n" +
            "--format makemore-py writes makemore.py's state_dict (transformer, bow, rnn, gru, one-level mlp, and block-1 models as its bigram)\n" +
            "and prints the makemore.py flags that load it.\n" +
            "Example: makemore export -m names-model.zip --format makemore-py -o out/model.pt")
        {
            model, format, file, input,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(format) != "makemore-py")
                throw new UsageException($"unknown --format '{parse.GetValue(format)}': use makemore-py");
            string zip = parse.GetValue(model)!;
            string target = parse.GetValue(file)!;
            var loaded = Models.Load(new MLContext(), zip);
            var provenance = DataProvenance.FromMetadata(MakemoreModel.GetMetadata(loaded));
            string? given = parse.GetValue(input);
            if (given is null && provenance is not null && !File.Exists(provenance.File))
                throw new UsageException($"the training data {provenance.File} named in the model is not found; give makemore.py's words file with -i");
            string words = given ?? provenance?.File
                ?? throw new UsageException("the model does not record its training data: give makemore.py's words file with -i");
            words = DataFiles.Resolve(words);
            OutputPaths.Check("--output", target, ("-m", zip), ("-i", words));
            var names = DataFiles.Read(words);
            MakemorePyExport export;
            try
            {
                MakemorePyExport? written = null;
                AtomicFile.Write(target, stream => written = MakemorePyCheckpoint.Write(MakemoreModel.GetLanguageModel(loaded), stream, names));
                export = written!;
            }
            catch (NotSupportedException e)
            {
                throw new UsageException(e.Message);
            }
            string folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
            output.WriteLine($"saved: {target} (makemore.py {MakemorePyCheckpoint.NameOf(export.Type)})");
            output.WriteLine("load it in makemore.py with:");
            output.WriteLine($"  python makemore.py -i {words} -o {folder} {string.Join(' ', export.Flags)} --resume --sample-only");
            if (Path.GetFileName(target) != "model.pt")
                output.WriteLine($"note: makemore.py reads {Path.Combine(folder, "model.pt")}: name the file model.pt");
            return 0;
        });
        return command;
    }
}
