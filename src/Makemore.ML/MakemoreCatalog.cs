using Microsoft.ML;
using Makemore.ML.Counting;
using Makemore.ML.Evaluation;
using Makemore.ML.Inference;
using Makemore.ML.Onnx;
using Makemore.ML.Persistence;
using Makemore.ML.Sampling;

namespace Makemore.ML;

/// <summary>Makemore's trainers and evaluator for one <see cref="MLContext"/>.</summary>
public sealed class MakemoreCatalog
{
    internal MakemoreCatalog(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        Context = mlContext;
        Trainers = new MakemoreTrainers(this);
    }

    internal MLContext Context { get; }

    /// <summary>Trainers of character language models.</summary>
    public MakemoreTrainers Trainers { get; }

    /// <summary>Mean NLL per predicted character (nats), bits/char, perplexity and counts of a model's output.</summary>
    /// <param name="scored">The output of a Makemore model's <c>Transform</c>.</param>
    public LanguageModelMetrics Evaluate(IDataView scored) => LanguageModelEvaluator.Evaluate(scored);

    /// <summary>
    /// A name generator for the model inside <paramref name="model"/> that draws from this context's random source, as
    /// ML.NET's components do: when the <see cref="SamplingOptions"/> of a call set no <see cref="SamplingOptions.Seed"/>,
    /// the call's seed is the next draw of a source seeded by the context, so <c>new MLContext(seed: 1)</c> gives the same
    /// names every run and <c>new MLContext(seed: 2)</c> other ones. A seed set in the options is used as given.
    /// (<c>new NameGenerator(model)</c> uses the lecture's seed instead.)
    /// </summary>
    /// <param name="model">A trained or loaded pipeline holding a Makemore model.</param>
    public NameGenerator Generator(ITransformer model) =>
        new(MakemoreModel.GetLanguageModel(model), Catalogs.RandomFor(Catalogs.EnvironmentOf(Context.Transforms), "Makemore.NameGenerator"));

    /// <summary>
    /// Saves a model as <c>mlContext.Model.Save</c> does, and more: atomically (a temporary file beside
    /// <paramref name="path"/>, then a rename: readers of the old file are undisturbed and a failure leaves it intact),
    /// with reproducible bytes (the same model gives the same file), sealed with a manifest of entry checksums that
    /// <see cref="Load(string, out DataViewSchema)"/> verifies. The file still loads with <c>mlContext.Model.Load</c>.
    /// </summary>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline reads (e.g. the training view's).</param>
    /// <param name="path">The zip to create or replace.</param>
    public void Save(ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelFile.Save(Context, model, inputSchema, path);
    }

    /// <summary>Saves a model as <see cref="Save(ITransformer, DataViewSchema, string)"/> does, to a stream.</summary>
    public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        ModelFile.Save(Context, model, inputSchema, stream);
    }

    /// <summary>
    /// Loads a Makemore model zip after verifying it: every entry's CRC-32, the manifest of entry checksums (files from
    /// <see cref="Save(ITransformer, DataViewSchema, string)"/>) and the checksum of the model's state, so that a damaged
    /// file is an error and never a model that gives other numbers.
    /// </summary>
    /// <param name="path">The zip.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ModelFileDamagedException">The file is damaged.</exception>
    /// <exception cref="NotAMakemoreModelException">The file is not a Makemore model (another ML.NET model, or not a model).</exception>
    public ITransformer Load(string path, out DataViewSchema inputSchema)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return ModelFile.Load(Context, path, out inputSchema);
    }

    /// <summary>Loads and verifies a Makemore model from a stream, as <see cref="Load(string, out DataViewSchema)"/> does.</summary>
    public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ModelFile.Load(Context, stream, out inputSchema);
    }

    /// <summary>
    /// Writes the language model of a fitted or loaded pipeline as an ONNX model: input <c>idx</c> (int64 [batch, time], the
    /// boundary id 0 and then a name's ids), output <c>log_probs</c> (float32 [batch, time, vocab], at each position the
    /// log-distribution of the next symbol), the vocabulary, kind and block size in its metadata, then the model's own
    /// metadata (its data provenance and figures). docs/interop.md gives the contract. ONNX Runtime, ML.NET's
    /// <c>ApplyOnnxModel</c> and other runtimes then score and sample it; Makemore itself needs no ONNX package for this.
    /// </summary>
    /// <param name="model">A pipeline holding a Makemore model (from <c>Fit</c>, <see cref="Load(string, out DataViewSchema)"/> or <c>mlContext.Model.Load</c>).</param>
    /// <param name="stream">Where to write the ONNX model.</param>
    /// <exception cref="NotAMakemoreModelException">The pipeline holds no Makemore language model.</exception>
    /// <exception cref="NotSupportedException">The model's kind has no ONNX exporter.</exception>
    public void ExportToOnnx(ITransformer model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        OnnxExport.Write(MakemoreModel.GetLanguageModel(model), MakemoreModel.GetMetadata(model), stream);
    }

    /// <summary>
    /// Writes the language model of a pipeline as an ONNX model file, as <see cref="ExportToOnnx(ITransformer, Stream)"/>
    /// does, atomically: a temporary file beside <paramref name="path"/>, then a rename (a failure leaves an old file intact).
    /// </summary>
    /// <param name="model">A pipeline holding a Makemore model.</param>
    /// <param name="path">The .onnx file to create or replace.</param>
    public void ExportToOnnx(ITransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var languageModel = MakemoreModel.GetLanguageModel(model);
        var metadata = MakemoreModel.GetMetadata(model);
        OnnxExport.Exportable(languageModel); // refuse an unsupported kind before touching the file system
        AtomicFile.Write(path, stream => OnnxExport.Write(languageModel, metadata, stream));
    }

    /// <summary>Writes a language model as an ONNX model, as <see cref="ExportToOnnx(ITransformer, Stream)"/> does.</summary>
    /// <param name="model">The model (e.g. <c>MakemoreModel.GetLanguageModel(pipeline)</c>, or one built in code).</param>
    /// <param name="stream">Where to write the ONNX model.</param>
    /// <param name="metadata">Extra metadata properties (e.g. provenance), written after the contract's own; none when null.</param>
    /// <exception cref="NotSupportedException">The model's kind has no ONNX exporter.</exception>
    public void ExportToOnnx(ILanguageModel model, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        OnnxExport.Write(model, metadata ?? new Dictionary<string, string>(), stream);
    }
}

/// <summary>Trainers of character language models: <c>mlContext.Makemore().Trainers</c>.</summary>
public sealed class MakemoreTrainers
{
    internal MakemoreTrainers(MakemoreCatalog owner) => Owner = owner;

    internal MakemoreCatalog Owner { get; }

    /// <summary>A count n-gram model: the lecture's bigram table, any order 1–8, add-k or Kneser–Ney smoothing.</summary>
    /// <param name="order">n: each character is predicted from the previous n − 1.</param>
    /// <param name="smoothing">How counts become probabilities; null for add-one.</param>
    /// <param name="idsColumnName">The ids column written by <c>MapCharactersToIds</c>.</param>
    public NGramEstimator NGram(int order = NGramEstimator.Defaults.Order, Smoothing? smoothing = null,
        string idsColumnName = Text.CharacterIdsEstimator.Defaults.OutputColumnName) =>
        new(Catalogs.Of(Owner.Context), new NGramEstimator.Options { Order = order, Smoothing = smoothing ?? NGramEstimator.Defaults.Smoothing, IdsColumnName = idsColumnName });

    /// <summary>A count n-gram model, with all options.</summary>
    public NGramEstimator NGram(NGramEstimator.Options options) => new(Catalogs.Of(Owner.Context), options);

    /// <summary>
    /// A linear interpolation of trained models (e.g. a 6-gram Kneser–Ney table and a neural model), its weights fitted by
    /// EM on the data given to <c>Fit</c> — pass the dev part.
    /// </summary>
    /// <param name="models">Two or more trained pipelines or transformers holding Makemore models over one vocabulary.</param>
    public InterpolationEstimator Interpolate(params ITransformer[] models) =>
        new(Catalogs.Of(Owner.Context), models.Select(MakemoreModel.GetLanguageModel).ToArray());
}
