using BenchmarkDotNet.Attributes;
using Makemore.ML.Counting;
using Makemore.ML.Inference;
using Makemore.ML.Sampling;
using Makemore.ML.Text;

namespace Makemore.ML.MicroBenchmarks;

/// <summary>Scoring, sampling and fitting of the count models: one operation per name (scoring, sampling) or per fit.</summary>
[MemoryDiagnoser]
public class CountModelBenchmarks
{
    private const int Samples = 1_000;
    private CharacterVocabulary _vocabulary = null!;
    private List<int[]> _sequences = null!;
    private NameScorer _bigramScorer = null!;
    private NameScorer _knScorer = null!;
    private NameGenerator _bigramGenerator = null!;
    private string[] _scored = null!;

    [GlobalSetup]
    public void Setup()
    {
        var names = Names.List;
        _vocabulary = CharacterVocabulary.Learn(names);
        _sequences = names.Select(n => _vocabulary.Encode(n)).ToList();
        _bigramScorer = new NameScorer(NGramModel.Fit(_vocabulary, 2, Smoothing.AddK(1), _sequences));
        _knScorer = new NameScorer(NGramModel.Fit(_vocabulary, 6, Smoothing.KneserNey(), _sequences));
        _bigramGenerator = new NameGenerator(NGramModel.Fit(_vocabulary, 2, Smoothing.AddK(1), _sequences));
        _scored = names.Where((_, i) => i % 32 == 0).ToArray(); // 1,001 names from across the file
    }

    /// <summary>NameScorer.Score of 1,001 names, bigram add-1 (divide by 1,001 for one name).</summary>
    [Benchmark]
    public double ScoreBigram() => ScoreAll(_bigramScorer);

    /// <summary>NameScorer.Score of 1,001 names, 6-gram modified Kneser–Ney.</summary>
    [Benchmark]
    public double ScoreKneserNey6() => ScoreAll(_knScorer);

    /// <summary>NameScorer.ScoreLikelihood (the log-likelihood only) of the same 1,001 names, bigram add-1.</summary>
    [Benchmark]
    public double LikelihoodBigram() => LikelihoodAll(_bigramScorer);

    /// <summary>NameScorer.ScoreLikelihood of the same 1,001 names, 6-gram modified Kneser–Ney.</summary>
    [Benchmark]
    public double LikelihoodKneserNey6() => LikelihoodAll(_knScorer);

    private double ScoreAll(NameScorer scorer)
    {
        double sum = 0;
        foreach (string name in _scored)
            sum += scorer.Score(name).LogLikelihood;
        return sum;
    }

    private double LikelihoodAll(NameScorer scorer)
    {
        double sum = 0;
        foreach (string name in _scored)
            sum += scorer.ScoreLikelihood(name).LogLikelihood;
        return sum;
    }

    /// <summary>NameGenerator.Generate of 1,000 names from the bigram, the lecture's sampler.</summary>
    [Benchmark]
    public int SampleBigram() => _bigramGenerator.Generate(Samples, new SamplingOptions { Seed = 1 }).Count;

    /// <summary>NGramModel.Fit of the bigram, add-1, on every name.</summary>
    [Benchmark]
    public int FitBigram() => NGramModel.Fit(_vocabulary, 2, Smoothing.AddK(1), _sequences).DistinctNGramCount;

    /// <summary>NGramModel.Fit of the 6-gram, modified Kneser–Ney, on every name.</summary>
    [Benchmark]
    public int FitKneserNey6() => NGramModel.Fit(_vocabulary, 6, Smoothing.KneserNey(), _sequences).DistinctNGramCount;

    /// <summary>CharacterVocabulary.Learn over every name.</summary>
    [Benchmark]
    public int LearnVocabulary() => CharacterVocabulary.Learn(Names.List).Size;
}
