using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Persistence;
using Makemore.ML.TorchSharp.Interop;

namespace Makemore.Cli.Internal;

/// <summary><c>makemore export --format makemore-py</c>: the words file it needs, the file, and the makemore.py line that loads it.</summary>
internal static class MakemorePyExporter
{
    /// <summary>Writes <paramref name="loaded"/> as makemore.py's model.pt at <paramref name="target"/> and prints how to load it.</summary>
    /// <param name="loaded">The model.</param>
    /// <param name="modelPath">Its zip (for messages and the output check).</param>
    /// <param name="target">The file to write.</param>
    /// <param name="words">makemore.py's words file (-i), or null for the model's training data from its provenance.</param>
    /// <param name="output">Where the makemore.py command line is printed.</param>
    public static void Write(ITransformer loaded, string modelPath, string target, string? words, TextWriter output)
    {
        var provenance = DataProvenance.FromMetadata(MakemoreModel.GetMetadata(loaded));
        if (words is null && provenance is not null && !File.Exists(provenance.File))
            throw new UsageException($"the training data {provenance.File} named in the model is not found; give makemore.py's words file with -i");
        string path = DataFiles.Resolve(words ?? provenance?.File
            ?? throw new UsageException("the model does not record its training data: give makemore.py's words file with -i"));
        OutputPaths.Check("--output", target, ("-m", modelPath), ("-i", path));
        var names = DataFiles.Read(path);
        MakemorePyExport? export = null;
        try
        {
            AtomicFile.Write(target, stream => export = MakemorePyCheckpoint.Write(MakemoreModel.GetLanguageModel(loaded), stream, names));
        }
        catch (NotSupportedException e)
        {
            throw new UsageException(e.Message);
        }
        string folder = Path.GetDirectoryName(Path.GetFullPath(target))!;
        output.WriteLine($"saved: {target} (makemore.py {MakemorePyCheckpoint.NameOf(export!.Type)})");
        output.WriteLine("load it in makemore.py with:");
        output.WriteLine($"  python makemore.py -i {path} -o {folder} {string.Join(' ', export.Flags)} --resume --sample-only");
        if (Path.GetFileName(target) != "model.pt")
            output.WriteLine($"note: makemore.py reads {Path.Combine(folder, "model.pt")}: name the file model.pt");
    }
}
