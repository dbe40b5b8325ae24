using System.Globalization;
using System.Text.Json;
using Makemore.ML.Inference;
using Makemore.ML.Persistence;

namespace Makemore.ML.Onnx;

/// <summary>
/// Writes a language model as an ONNX model that keeps the graph contract of docs/interop.md: input <see cref="InputName"/>,
/// output <see cref="OutputName"/>, and the metadata properties below, then the model file's own metadata (its provenance).
/// </summary>
internal static class OnnxExport
{
    /// <summary>The graph's input: int64 [batch, time], the boundary id 0 first, then a name's ids.</summary>
    public const string InputName = "idx";

    /// <summary>The graph's output: float32 [batch, time, vocab], the log-distribution of the symbol after each position.</summary>
    public const string OutputName = "log_probs";

    /// <summary>Metadata key: the symbols of ids 1…V−1 in order, as a JSON array of strings (id 0 is the boundary).</summary>
    public const string VocabularyKey = "vocabulary";

    /// <summary>Metadata key: the model's kind, as its saved state names it (<c>ngram</c>, <c>mlp</c>, …).</summary>
    public const string KindKey = "kind";

    /// <summary>Metadata key: see <see cref="IOnnxExportable.OnnxBlockSize"/>; <c>unbounded</c> when the model has none.</summary>
    public const string BlockSizeKey = "block_size";

    /// <summary>Metadata key: the model in one line, as <c>makemore info</c> shows it.</summary>
    public const string DescriptionKey = "description";

    /// <summary>Metadata key: the version of the graph contract (<see cref="ContractVersion"/>).</summary>
    public const string ContractKey = "makemore_onnx_contract";

    /// <summary>The graph contract's version: 1 is the one docs/interop.md describes.</summary>
    public const string ContractVersion = "1";

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="metadata">The model file's metadata (provenance, training figures), copied after the contract's keys; may be empty.</param>
    /// <param name="stream">Where to write.</param>
    /// <exception cref="NotSupportedException">The model's kind has no ONNX exporter.</exception>
    public static void Write(ILanguageModel model, IReadOnlyDictionary<string, string> metadata, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(stream);
        var exportable = Exportable(model);
        var graph = new OnnxGraph();
        int v = model.Vocabulary.Size;
        var idx = graph.Input(InputName, OnnxDataType.Int64, "batch", "time");
        var logProbabilities = exportable.BuildOnnx(graph, idx);
        graph.Output(logProbabilities, OutputName, OnnxDataType.Float, "batch", "time", v);
        OnnxModelWriter.Write(graph, "makemore", Metadata(model, exportable, metadata), stream);
    }

    /// <summary>The model as an exporter, or an exception naming its kind.</summary>
    public static IOnnxExportable Exportable(ILanguageModel model) =>
        model as IOnnxExportable
        ?? throw new NotSupportedException($"{KindOf(model)} models cannot be exported to ONNX yet (model: {model}).");

    private static string KindOf(ILanguageModel model)
    {
        try
        {
            return ModelCodecs.For(model).Kind;
        }
        catch (NotSupportedException)
        {
            return model.GetType().Name;
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> Metadata(ILanguageModel model, IOnnxExportable exportable, IReadOnlyDictionary<string, string> saved)
    {
        var vocabulary = model.Vocabulary;
        var symbols = Enumerable.Range(1, vocabulary.Size - 1).Select(id => vocabulary.SymbolOf(id).ToString()).ToArray();
        yield return new(ContractKey, ContractVersion);
        yield return new(VocabularyKey, JsonSerializer.Serialize(symbols));
        yield return new(KindKey, KindOf(model));
        yield return new(BlockSizeKey, exportable.OnnxBlockSize is int block ? block.ToString(CultureInfo.InvariantCulture) : "unbounded");
        yield return new(DescriptionKey, model.ToString() ?? "");
        string[] ours = [ContractKey, VocabularyKey, KindKey, BlockSizeKey, DescriptionKey];
        // The plausibility table needs Makemore's scorer to mean anything; everything else (provenance, figures) is copied.
        foreach (var (key, value) in saved.OrderBy(e => e.Key, StringComparer.Ordinal))
            if (key != PlausibilityTable.MetadataKey && !ours.Contains(key))
                yield return new(key, value);
    }
}
