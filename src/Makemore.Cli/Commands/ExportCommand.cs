using System.CommandLine;
using Microsoft.ML;
using Makemore.Cli.Internal;

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
            MakemorePyExporter.Write(Models.Load(new MLContext(), zip), zip, parse.GetValue(file)!, parse.GetValue(input), output);
            return 0;
        });
        return command;
    }
}
