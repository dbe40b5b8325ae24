using Microsoft.ML;

namespace Makemore.ML.Tests;

/// <summary>Our components build their inner transforms in the user's environment, never in a context of their own.</summary>
[TestClass]
public sealed class CatalogContextTests
{
    [TestMethod]
    public void EveryCatalogWeExtendLeadsBackToItsContextsEnvironment()
    {
        var ml = new MLContext(seed: 5);
        var environment = Catalogs.EnvironmentOf(ml.Transforms);
        foreach (object catalog in new object[] { ml.Transforms.Text, ml.Data, ml.MulticlassClassification.Trainers })
        {
            var catalogs = Catalogs.Of(catalog);
            Assert.AreSame(environment, Catalogs.EnvironmentOf(catalogs.Transforms), catalog.GetType().Name);
            Assert.AreSame(environment, Catalogs.EnvironmentOf(catalogs.Data), catalog.GetType().Name);
            Assert.IsNotNull(catalogs.Model);
        }
        Assert.AreNotSame(environment, Catalogs.EnvironmentOf(Catalogs.Of(new MLContext().Transforms.Text).Transforms));
    }

    [TestMethod]
    public void TheUsersLogHearsFromOurInnerTransforms()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Source + ": " + e.RawMessage); };
        var names = ml.Data.LoadNames(TestData.Tiny);
        var model = ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(2)).Fit(names);
        ml.Makemore().Evaluate(model.Transform(names));
        ml.Model.Save(model, names.Schema, new MemoryStream()); // the inner chains are built when a model is saved
        lock (messages)
            Assert.IsTrue(messages.Any(m => m.Contains("CustomMapping", StringComparison.OrdinalIgnoreCase) || m.Contains("Hash", StringComparison.OrdinalIgnoreCase)),
                $"the inner CustomMapping / hash transforms log to the user's context ({messages.Count} messages)");
    }

    [TestMethod]
    public void TheUsersLogHearsWhatAFitTrainsAndItsResult()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) if (e.Source.StartsWith("Makemore", StringComparison.Ordinal)) messages.Add(e.RawMessage); };
        var names = ml.Data.LoadNames(TestData.Tiny);
        ml.Transforms.Text.MapCharactersToIds().Append(ml.Makemore().Trainers.NGram(3)).Fit(names);
        lock (messages)
        {
            string log = string.Join("\n", messages);
            Assert.IsTrue(messages.Any(m => m.Contains("n-gram model (order 3", StringComparison.Ordinal) && m.Contains($"on {TestData.Tiny.Length} names", StringComparison.Ordinal)), log);
            Assert.IsTrue(messages.Any(m => m.StartsWith("Trained in", StringComparison.Ordinal)), log);
        }
    }
}
