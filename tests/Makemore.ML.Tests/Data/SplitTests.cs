using Microsoft.ML;
using Makemore.ML.Data;

namespace Makemore.ML.Tests.Data;

[TestClass]
public sealed class SplitTests
{
    [TestMethod]
    public void LectureSplitMatchesPython()
    {
        // docs/reference-figures.md, "Dataset": random.seed(42); random.shuffle(words); n1 = int(0.8n); n2 = int(0.9n).
        var split = NameSplitter.Split(TestData.OriginalNamesOrInconclusive(), SplitProtocol.Lecture);
        Assert.AreEqual(25_626, split.Train.Count);
        Assert.AreEqual(3_203, split.Dev.Count);
        Assert.AreEqual(3_204, split.Test.Count);
        CollectionAssert.AreEqual(new[] { "yuheng", "diondre", "xavien" }, split.Train.Take(3).ToArray());
        CollectionAssert.AreEqual(new[] { "amay", "aytana", "jenevi" }, split.Dev.Take(3).ToArray());
        CollectionAssert.AreEqual(new[] { "mustafa", "reuben", "kahlel" }, split.Test.Take(3).ToArray());
    }

    [TestMethod]
    public void RandomSplitIsASeededPermutation()
    {
        var names = Enumerable.Range(0, 1000).Select(i => $"n{i}").ToList();
        var a = NameSplitter.Split(names, SplitProtocol.Random, seed: 7);
        var b = NameSplitter.Split(names, SplitProtocol.Random, seed: 7);
        var c = NameSplitter.Split(names, SplitProtocol.Random, seed: 8);
        CollectionAssert.AreEqual(a.Train.ToList(), b.Train.ToList());
        CollectionAssert.AreNotEqual(a.Train.ToList(), c.Train.ToList());
        CollectionAssert.AreEquivalent(names, a.Train.Concat(a.Dev).Concat(a.Test).ToList());
        Assert.AreEqual((800, 100, 100), (a.Train.Count, a.Dev.Count, a.Test.Count));
        CollectionAssert.AreEqual(NameSplitter.Split(names, SplitProtocol.Lecture).Dev.ToList(),
            NameSplitter.Split(names, SplitProtocol.Random, seed: 42).Dev.ToList(), "the lecture protocol is Random with seed 42");
    }

    [TestMethod]
    public void DataViewSplitKeepsTheOrder()
    {
        var ml = new MLContext();
        var names = Enumerable.Range(0, 50).Select(i => $"n{i}").ToList();
        var views = ml.Data.SplitNames(ml.Data.LoadNames(names));
        var lists = NameSplitter.Split(names);
        CollectionAssert.AreEqual(lists.Dev.ToList(), ml.Data.CreateEnumerable<NameInput>(views.Dev, false).Select(r => r.Name).ToList());
    }
}
