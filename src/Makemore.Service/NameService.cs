using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Microsoft.ML;

namespace Makemore.Service;

/// <summary>One predicted symbol of a scored name: the character (<c>.</c> for the end of the name) and −ln p, nats.</summary>
/// <param name="Character">The predicted character; <c>.</c> is the end token.</param>
/// <param name="Surprisal">−ln p of that character given everything before it, nats.</param>
public sealed record CharacterSurprisal(string Character, double Surprisal);

/// <summary>What <c>POST /score</c> answers for one name.</summary>
/// <param name="Name">The name as sent.</param>
/// <param name="LogLikelihood">Σ ln p over the predicted symbols (its characters and the end token), nats.</param>
/// <param name="NllPerChar">−LogLikelihood / Count: nats per predicted character.</param>
/// <param name="Perplexity">e^NllPerChar.</param>
/// <param name="Count">Predicted symbols: the name's length + 1 (the end token).</param>
/// <param name="Surprisal">Per predicted symbol, in order.</param>
public sealed record NameScoreResult(string Name, double LogLikelihood, double NllPerChar, double Perplexity, int Count,
    IReadOnlyList<CharacterSurprisal> Surprisal);

/// <summary>A likely next character after a prefix.</summary>
/// <param name="Character">The character; <c>.</c> is the end of the name.</param>
/// <param name="Probability">Its probability after the prefix.</param>
public sealed record NextCharacter(string Character, double Probability);

/// <summary>What <c>GET /complete</c> answers.</summary>
/// <param name="Prefix">The prefix as sent.</param>
/// <param name="Next">The most likely next characters, most likely first.</param>
/// <param name="Completions">Names sampled from the prefix (seeded).</param>
public sealed record CompletionResult(string Prefix, IReadOnlyList<NextCharacter> Next, IReadOnlyList<string> Completions);

/// <summary>What <c>GET /generate</c> answers.</summary>
/// <param name="Seed">The generator's seed.</param>
/// <param name="Names">The names, in the order drawn.</param>
public sealed record GenerateResult(long Seed, IReadOnlyList<string> Names);

/// <summary>
/// The name service's work, independent of HTTP: score, generate and complete names with one loaded model. Safe to share
/// between threads (every call builds its own decoders and buffers; the model is read-only after loading).
/// </summary>
public sealed class NameService
{
    private readonly ILanguageModel _model;
    private readonly NameScorer _scorer;

    /// <summary>Creates a service over a language model.</summary>
    public NameService(ILanguageModel model, NameServiceOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _scorer = new NameScorer(model);
        Options = options ?? new NameServiceOptions();
    }

    /// <summary>Loads a saved model zip (verified, as <c>ml.Makemore().Load</c> does) and creates a service over it.</summary>
    public static NameService Load(MLContext ml, string path, NameServiceOptions? options = null) =>
        new(MakemoreModel.GetLanguageModel(ml.Makemore().Load(path, out _)), options);

    /// <summary>The model served.</summary>
    public ILanguageModel Model => _model;

    /// <summary>The request limits.</summary>
    public NameServiceOptions Options { get; }

    /// <summary>Scores a batch of names; refuses the whole batch, naming the first bad name, when one cannot be scored.</summary>
    public IReadOnlyList<NameScoreResult> Score(IReadOnlyList<string?> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
            throw new BadRequestException("'names' is empty: send at least one name.");
        if (names.Count > Options.MaxBatch)
            throw new BadRequestException($"'names' has {names.Count:N0} names; at most {Options.MaxBatch:N0} per request.");
        for (int i = 0; i < names.Count; i++)
            CheckName(names[i], $"names[{i}]");
        return names.Select(n => Score(n!)).ToList();
    }

    /// <summary>Scores one name.</summary>
    public NameScoreResult Score(string name)
    {
        CheckName(name, "name");
        int[] ids = _model.Vocabulary.Encode(name);
        double[] surprisals = SequenceScorer.Surprisals(_model, ids);
        var score = _scorer.Score(name);
        var perCharacter = new CharacterSurprisal[surprisals.Length];
        for (int i = 0; i < surprisals.Length; i++)
            perCharacter[i] = new(_model.Vocabulary.SymbolOf(i < ids.Length ? ids[i] : 0).ToString(), surprisals[i]); // as encoded (a skipped character has none)
        return new(name, score.LogLikelihood, score.NllPerCharacter, score.Perplexity, score.PredictedCharacterCount, perCharacter);
    }

    /// <summary>Draws names with the given sampling options.</summary>
    public GenerateResult Generate(int count, SamplingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (count < 1 || count > Options.MaxCount)
            throw new BadRequestException($"'count' must be from 1 to {Options.MaxCount:N0} (got {count}).");
        if (options.Prefix.Length > 0)
            CheckName(options.Prefix, "prefix");
        options.MaxLength = Math.Min(options.MaxLength, Options.MaxNameLength);
        try
        {
            return new(options.Seed, new NameGenerator(_model).Generate(count, options));
        }
        catch (ArgumentException e)
        {
            throw new BadRequestException(e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new BadRequestException(e.Message);
        }
    }

    /// <summary>The most likely next characters after a prefix, and sampled completions of it.</summary>
    public CompletionResult Complete(string prefix, int top, int completions, long seed)
    {
        CheckName(prefix, "prefix", allowEmpty: true);
        var vocabulary = _model.Vocabulary;
        var p = new double[vocabulary.Size];
        SequenceScorer.NextProbabilities(_model, vocabulary.Encode(prefix), p);
        var next = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(top)
            .Select(id => new NextCharacter(vocabulary.SymbolOf(id).ToString(), p[id])).ToList();
        var options = new SamplingOptions { Prefix = prefix, Seed = seed, MaxLength = Options.MaxNameLength };
        var names = completions == 0 ? [] : new NameGenerator(_model).Generate(completions, options);
        return new(prefix, next, names);
    }

    // A name the model can score: present, not too long, no '.', and (under the Error policy) only known characters.
    private void CheckName(string? name, string what, bool allowEmpty = false)
    {
        if (name is null)
            throw new BadRequestException($"{what} is missing (null).");
        if (name.Length == 0 && !allowEmpty)
            throw new BadRequestException($"{what} is empty.");
        if (name.Length > Options.MaxNameLength)
            throw new BadRequestException($"{what} has {name.Length:N0} characters; at most {Options.MaxNameLength}.");
        var vocabulary = _model.Vocabulary;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == CharacterVocabulary.Boundary)
                throw new BadRequestException($"{what} '{name}' has '.' at position {i + 1}: '.' marks the start and end of every name and cannot be part of one.");
            if (!vocabulary.Contains(c) && vocabulary.Policy == UnknownCharacterPolicy.Error)
                throw new BadRequestException($"{what} '{name}' has '{c}' (U+{(int)c:X4}) at position {i + 1}, which the model has never seen; it knows {vocabulary.Size} symbols: {vocabulary}.");
        }
    }
}
