using Makemore.ML;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Microsoft.ML;

namespace Makemore.Service;

/// <summary>One predicted symbol of a scored name: the character (<c>.</c> for the end of the name) and −ln p, nats.</summary>
/// <param name="Character">The predicted character; <c>.</c> is the end token (<c>&lt;.&gt;</c> for a model whose characters include <c>'.'</c>).</param>
/// <param name="Surprisal">−ln p of that character given everything before it, nats.</param>
public sealed record CharacterSurprisal(string Character, double Surprisal);

/// <summary>What <c>POST /score</c> answers for one name.</summary>
/// <param name="Name">The name as sent.</param>
/// <param name="ScoredAs">The text scored (after case folding, when asked).</param>
/// <param name="LogLikelihood">Σ ln p over the predicted symbols (its characters and the end token), nats.</param>
/// <param name="NllPerChar">−LogLikelihood / Count: nats per predicted character.</param>
/// <param name="Perplexity">e^NllPerChar.</param>
/// <param name="Count">Predicted symbols: the name's length + 1 (the end token).</param>
/// <param name="Percentile">
/// Plausibility: the percentage of the training names with a higher NLL per character (100: more plausible than every
/// one, 0: less plausible than every one); null for a model saved without a plausibility table.
/// </param>
/// <param name="Surprisal">Per predicted symbol, in order.</param>
public sealed record NameScoreResult(string Name, string ScoredAs, double LogLikelihood, double NllPerChar, double Perplexity, int Count,
    double? Percentile, IReadOnlyList<CharacterSurprisal> Surprisal);

/// <summary>A generated name.</summary>
/// <param name="Name">The name.</param>
/// <param name="Novelty"><c>in train</c>, <c>in dev/test</c> or <c>new</c>; null when the service knows no training data.</param>
/// <param name="LogLikelihood">Its log-likelihood (beam search only).</param>
public sealed record GeneratedName(string Name, string? Novelty, double? LogLikelihood = null);

/// <summary>How many generated names were in train, in dev/test, or new.</summary>
/// <param name="InTrain">Names in the training part.</param>
/// <param name="InDevTest">Names in the dev or test part only.</param>
/// <param name="New">Names in no part.</param>
/// <param name="NewFraction">New / all.</param>
public sealed record NoveltySummary(int InTrain, int InDevTest, int New, double NewFraction);

/// <summary>A likely next character after a prefix.</summary>
/// <param name="Character">The character; <c>.</c> is the end of the name (<c>&lt;.&gt;</c> for a model whose characters include <c>'.'</c>).</param>
/// <param name="Probability">Its probability after the prefix.</param>
public sealed record NextCharacter(string Character, double Probability);

/// <summary>What <c>GET /complete</c> answers.</summary>
/// <param name="Prefix">The prefix as sent.</param>
/// <param name="Next">The most likely next characters, most likely first.</param>
/// <param name="Completions">Names sampled from the prefix (seeded).</param>
public sealed record CompletionResult(string Prefix, IReadOnlyList<NextCharacter> Next, IReadOnlyList<string> Completions);

/// <summary>What <c>GET /generate</c> answers.</summary>
/// <param name="Seed">The generator's seed.</param>
/// <param name="Names">The names, in the order drawn (beam search: most likely first).</param>
/// <param name="Novelty">The novelty counts; null when the service knows no training data.</param>
/// <param name="Exact">Beam search only: whether the list is provably the most likely names.</param>
public sealed record GenerateResult(long Seed, IReadOnlyList<GeneratedName> Names, NoveltySummary? Novelty, bool? Exact = null);

/// <summary>What to generate: the sampling options, or a beam search, and whether only new names count.</summary>
/// <param name="Count">How many names.</param>
/// <param name="Sampling">Seed, generator, temperature, top-k/top-p, greedy and the constraints.</param>
/// <param name="OnlyNew">Only names in no part of the data, without repeats.</param>
/// <param name="Beam">Instead of sampling, the most likely names by a best-first search keeping this many unfinished names.</param>
public sealed record GenerateRequest(int Count, SamplingOptions Sampling, bool OnlyNew = false, int? Beam = null);

/// <summary>
/// The name service's work, independent of HTTP: score, generate and complete names with one loaded model. Safe to share
/// between threads (every call builds its own decoders and buffers; the model is read-only after loading).
/// </summary>
public sealed class NameService
{
    private readonly ILanguageModel _model;
    private readonly NameScorer _scorer, _foldingScorer;
    private readonly NoveltyClassifier? _novelty;

    /// <summary>Creates a service over a language model.</summary>
    /// <param name="model">The model served.</param>
    /// <param name="plausibility">Its plausibility table (saved in the model at fit: <see cref="PlausibilityTable.From"/>), or null: no percentiles.</param>
    /// <param name="novelty">Its training data split as in training, or null: generated names carry no novelty.</param>
    /// <param name="options">Request limits.</param>
    public NameService(ILanguageModel model, PlausibilityTable? plausibility = null, NoveltyClassifier? novelty = null, NameServiceOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _scorer = new NameScorer(model, plausibility);
        _foldingScorer = new NameScorer(model, plausibility, new NameScorerOptions { FoldCase = true });
        _novelty = novelty;
        Options = options ?? new NameServiceOptions();
    }

    /// <summary>Loads a saved model zip (verified, as <c>ml.Makemore().Load</c> does) with its plausibility table, and creates a service over it.</summary>
    public static NameService Load(MLContext ml, string path, NoveltyClassifier? novelty = null, NameServiceOptions? options = null)
    {
        var loaded = ml.Makemore().Load(path, out _);
        return new(MakemoreModel.GetLanguageModel(loaded), PlausibilityTable.From(loaded), novelty, options);
    }

    /// <summary>Whether scores carry a plausibility percentile.</summary>
    public bool HasPlausibility => _scorer.Plausibility is not null;

    /// <summary>Whether generated names carry their novelty.</summary>
    public bool HasNovelty => _novelty is not null;

    /// <summary>The model served.</summary>
    public ILanguageModel Model => _model;

    /// <summary>The request limits.</summary>
    public NameServiceOptions Options { get; }

    /// <summary>Scores a batch of names; refuses the whole batch, naming the first bad name, when one cannot be scored.</summary>
    public IReadOnlyList<NameScoreResult> Score(IReadOnlyList<string?> names, bool foldCase = false)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
            throw new BadRequestException("'names' is empty: send at least one name.");
        if (names.Count > Options.MaxBatch)
            throw new BadRequestException($"'names' has {names.Count:N0} names; at most {Options.MaxBatch:N0} per request.");
        var scorer = foldCase ? _foldingScorer : _scorer;
        for (int i = 0; i < names.Count; i++)
            CheckName(names[i] is { } n ? scorer.Normalize(n) : null, $"names[{i}]", foldCaseHint: !foldCase);
        return names.Select(n => Score(n!, foldCase)).ToList();
    }

    /// <summary>Scores one name: its totals, plausibility percentile and per-character surprisal.</summary>
    public NameScoreResult Score(string name, bool foldCase = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        var scorer = foldCase ? _foldingScorer : _scorer;
        string scoredAs = scorer.Normalize(name);
        CheckName(scoredAs, "name", foldCaseHint: !foldCase);
        int[] ids = _model.Vocabulary.Encode(scoredAs);
        // One pass gives the per-character surprisals, and the totals are their sum (in the order SequenceScorer sums).
        var logProbabilities = new double[ids.Length + 1];
        _model.LogProbabilities(ids, logProbabilities);
        var perCharacter = new CharacterSurprisal[logProbabilities.Length];
        double logLikelihood = 0;
        for (int i = 0; i < logProbabilities.Length; i++)
        {
            logLikelihood += logProbabilities[i];
            perCharacter[i] = new(_model.Vocabulary.TextOf(i < ids.Length ? ids[i] : 0), -logProbabilities[i]); // as encoded (a skipped character has none)
        }
        var score = new SequenceScore(logLikelihood, logProbabilities.Length);
        return new(name, scoredAs, score.LogLikelihood, score.NllPerCharacter, score.Perplexity, score.PredictedCount,
            scorer.Plausibility?.Percentile(score.NllPerCharacter), perCharacter);
    }

    /// <summary>Draws names (or searches the most likely ones) as the request says, with their novelty when the data is known.</summary>
    public GenerateResult Generate(GenerateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = request.Sampling;
        if (request.Count < 1 || request.Count > Options.MaxCount)
            throw new BadRequestException($"'count' must be from 1 to {Options.MaxCount:N0} (got {request.Count}).");
        var constraints = options.Constraints;
        foreach (var (text, what) in new[] { (constraints.StartsWith, "starts-with"), (constraints.EndsWith, "ends-with"), (constraints.Contains, "contains") })
            if (text.Length > 0)
                CheckName(text, $"'{what}'");
        if (constraints.MaxLength > Options.MaxNameLength)
            throw new BadRequestException($"'max-length' must be at most {Options.MaxNameLength} (got {constraints.MaxLength}).");
        if (request.OnlyNew && _novelty is null)
            throw new BadRequestException("'only-new' needs the training data, and this service was started without it.");
        try
        {
            if (request.Beam is int width)
            {
                if (request.OnlyNew)
                    throw new BadRequestException("'only-new' does not apply to 'beam': the search lists the most likely names, in the data or not.");
                var result = new NameSearch(_model).MostLikely(request.Count, new NameSearchOptions { BeamWidth = width, Constraints = constraints });
                var found = result.Names.Select(n => new GeneratedName(n.Name, Novelty(n.Name), n.LogLikelihood)).ToList();
                return new(options.Seed, found, Summary(found), result.IsExact);
            }
            var generator = new NameGenerator(_model);
            var names = request.OnlyNew ? generator.EnumerateNew(request.Count, _novelty!, options) : generator.Enumerate(request.Count, options);
            var drawn = names.Select(n => new GeneratedName(n, Novelty(n))).ToList();
            return new(options.Seed, drawn, Summary(drawn));
        }
        catch (SamplingBudgetExhaustedException e)
        {
            throw new BadRequestException($"{e.Message} Raise 'max-attempts' (at most {Options.MaxAttempts:N0}) or loosen the constraints.");
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            throw new BadRequestException($"'regex' took too long to match a name; simplify it.");
        }
        catch (ArgumentException e)
        {
            throw new BadRequestException(ParameterNames(e));
        }
        catch (InvalidOperationException e)
        {
            throw new BadRequestException(e.Message);
        }
    }

    private string? Novelty(string name) => _novelty is null ? null : NoveltyReport.Label(_novelty.Classify(name));

    private NoveltySummary? Summary(IReadOnlyList<GeneratedName> names)
    {
        if (_novelty?.Report(names.Select(n => n.Name)) is not { } report)
            return null;
        return new(report.InTrain, report.InDevTest, report.New, report.NewFraction);
    }

    // The library names options by property; a caller of the service knows them by their query names.
    private static readonly Dictionary<string, string> QueryNames = new()
    {
        [nameof(NameConstraints.StartsWith)] = "'starts-with'", [nameof(NameConstraints.EndsWith)] = "'ends-with'",
        [nameof(NameConstraints.Contains)] = "'contains'", [nameof(NameConstraints.ExcludedCharacters)] = "'exclude'",
        [nameof(NameConstraints.MinLength)] = "'min-length'", [nameof(NameConstraints.MaxLength)] = "'max-length'",
        [nameof(NameConstraints.Pattern)] = "'regex'", [nameof(SamplingOptions.TopP)] = "'top-p'", [nameof(SamplingOptions.TopK)] = "'top-k'",
    };

    private static string ParameterNames(ArgumentException e)
    {
        string message = e.ParamName is { } name && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal)
            ? e.Message[..^$" (Parameter '{name}')".Length]
            : e.Message;
        message = NameConstraints.Rename(message, QueryNames);
        return e.ParamName is { } parameter && QueryNames.TryGetValue(parameter, out string? query) && !message.Contains(query, StringComparison.Ordinal)
            ? $"{query}: {message}"
            : message;
    }

    /// <summary>The most likely next characters after a prefix, and sampled completions of it.</summary>
    public CompletionResult Complete(string prefix, int top, int completions, long seed)
    {
        CheckName(prefix, "prefix", allowEmpty: true);
        var vocabulary = _model.Vocabulary;
        int[] ids = vocabulary.Encode(prefix);
        var p = new double[vocabulary.Size];
        SequenceScorer.NextProbabilities(_model, ids, p);
        var next = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(top)
            .Select(id => new NextCharacter(vocabulary.TextOf(id), p[id])).ToList(); // the end is ".", or "<.>" when '.' is a character
        string seen = vocabulary.Decode(ids); // the prefix as the model sees it (a model that skips or maps unknown characters)
        var options = new SamplingOptions { Prefix = seen, Seed = seed, MaxLength = Math.Max(seen.Length, Options.MaxNameLength) };
        var names = completions == 0 ? [] : new NameGenerator(_model).Generate(completions, options);
        return new(prefix, next, names);
    }

    // A name the model can score: present, not too long, and (under the Error policy) only known characters ('.' is one like any other).
    private void CheckName(string? name, string what, bool allowEmpty = false, bool foldCaseHint = false)
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
            if (!vocabulary.Contains(c) && vocabulary.Policy == UnknownCharacterPolicy.Error)
                throw new BadRequestException($"{what} '{name}' has {CharacterVocabulary.Describe(name, i)} at position {i + 1}, which the model has never seen; it knows {vocabulary.Size} symbols: {vocabulary}." +
                    (foldCaseHint && name.ToLowerInvariant().All(l => vocabulary.IdOf(l) > 0) ? $" Send \"fold_case\": true to score it as '{name.ToLowerInvariant()}'." : ""));
        }
    }
}
