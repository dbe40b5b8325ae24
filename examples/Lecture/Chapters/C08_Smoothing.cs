using Makemore.ML.Counting;
using Makemore.ML.Evaluation;
using Makemore.ML.Text;

namespace Makemore.Examples.Lecture;

/// <summary>
/// Chapter 8: add a fake count to every cell before normalising (<c>P = (N + k).float()</c>). No bigram has
/// probability 0 any more, so no name has an infinite loss; the more fake counts, the more uniform the model.
/// </summary>
public static class C08_Smoothing
{
    /// <summary>Prints, for k = 0, 1, 10, 100 (and a huge k), the NLL of the whole file and of "andrejq".</summary>
    public static void Run(LectureSettings settings, TextWriter output)
    {
        IReadOnlyList<string> words = settings.LoadWords();
        var vocabulary = CharacterVocabulary.Learn(words);
        // Count once; WithSmoothing only changes how counts become probabilities.
        var counts = NGramModel.Fit(vocabulary, order: 2, Smoothing.None, words.Select(w => vocabulary.Encode(w)));

        output.WriteLine("fake count k   NLL of all names   NLL of andrejq   P('.' -> 'a')");
        foreach (double k in new[] { 0, 1, 10, 100, 1_000_000 })
        {
            var model = counts.WithSmoothing(Smoothing.AddK(k));
            double all = LanguageModelEvaluator.Evaluate(model, words).NllPerCharacter;
            double andrejq = LanguageModelEvaluator.Evaluate(model, ["andrejq"]).NllPerCharacter;
            var p = new double[vocabulary.Size];
            model.GetNextProbabilities([0], p);
            output.WriteLine($"{k,12:N0}   {all,16:F4}   {andrejq,14:F4}   {p[vocabulary.IdOf('a')],13:F4}");
        }
        output.WriteLine($"uniform (ln {vocabulary.Size}):  {Math.Log(vocabulary.Size),16:F4}");
    }
}

// Expected output (makemore's original names.txt, `dotnet run --project examples/Lecture -- c08 --data ../shared/data/names.txt`):
// fake count k   NLL of all names   NLL of andrejq   P('.' -> 'a')
//            0             2.4540         Infinity          0.1377
//            1             2.4546           3.4834          0.1376
//           10             2.4621           3.2349          0.1368
//          100             2.5375           3.0334          0.1298
//    1,000,000             3.2946           3.2948          0.0372
// uniform (ln 27):            3.2958
