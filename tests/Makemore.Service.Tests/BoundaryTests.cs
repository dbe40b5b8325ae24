using Microsoft.ML;
using Makemore.ML;
using Makemore.ML.Counting;

namespace Makemore.Service.Tests;

/// <summary>A model of names with dots: the service scores and completes them, and its JSON tells the end from a '.'.</summary>
[TestClass]
public sealed class BoundaryTests
{
    [TestMethod]
    public void TheEndAndTheCharacterDotAreTwoStrings()
    {
        var ml = new MLContext(seed: 1);
        var names = ml.Data.LoadNames(["j.r.r", "zope.interface", "mr. smith", "emma"]);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2, Smoothing.AddK(1))).Fit(names);
        var service = new NameService(model.LastTransformer.Model);

        var score = service.Score("j.r.r");
        CollectionAssert.AreEqual(new[] { "j", ".", "r", ".", "r", "<.>" }, score.Surprisal.Select(s => s.Character).ToArray(), "'.' is a character; the end is '<.>' here");
        Assert.IsTrue(double.IsFinite(score.LogLikelihood));

        var next = service.Complete("j.r", top: 40, completions: 0, seed: 1).Next.Select(n => n.Character).ToList();
        CollectionAssert.Contains(next, ".");
        CollectionAssert.Contains(next, "<.>");
    }
}
