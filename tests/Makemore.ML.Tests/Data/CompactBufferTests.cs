using System.Text;
using Microsoft.ML;
using Makemore.ML.Data;

namespace Makemore.ML.Tests.Data;

/// <summary>
/// The one-buffer forms <c>makemore train</c> holds through the fit: names (<see cref="NameBuffer"/>) and training ids
/// (<see cref="IdSequences"/>) give back exactly what a string or an array per item held.
/// </summary>
[TestClass]
public sealed class CompactBufferTests
{
    [TestMethod]
    public void IdsComeBackAsAddedWhileBytesAndAfterAnIdOver255()
    {
        int[][] items = [[1, 2, 3], [], [255, 0, 7], [300, 1], [4], [-1, 70_000]];
        var builder = new IdSequences.Builder();
        foreach (var item in items)
            builder.Add(item);
        var sequences = builder.ToSequences();
        Assert.AreEqual(items.Length, sequences.Count);
        Assert.AreEqual(items.Sum(i => i.Length), sequences.TotalLength);
        for (int i = 0; i < items.Length; i++)
            CollectionAssert.AreEqual(items[i], sequences[i], $"item {i}");
        CollectionAssert.AreEqual(items[2], sequences.ToList()[2]);
        Assert.AreNotSame(sequences[0], sequences[0], "each read is the caller's own array");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => sequences[items.Length]);
    }

    [TestMethod]
    public void ManyIdsGrowTheBuffers()
    {
        var random = new Random(1);
        var items = Enumerable.Range(0, 5000).Select(_ => Enumerable.Range(0, random.Next(0, 30)).Select(_ => random.Next(1, 200)).ToArray()).ToList();
        var builder = new IdSequences.Builder();
        foreach (var item in items)
            builder.Add(item);
        var sequences = builder.ToSequences();
        Assert.AreEqual(items.Count, sequences.Count);
        for (int i = 0; i < items.Count; i++)
            CollectionAssert.AreEqual(items[i], sequences[i], $"item {i}");
    }

    [TestMethod]
    public void NamesComeBackAsAddedBeforeAndAfterACharacterOverU00FF()
    {
        string[] names = ["emma", "zoë", "", "ÿ", "łukasz", "olivia", "日本", "a"];
        var builder = new NameBuffer.Builder();
        foreach (string name in names)
            builder.Add(name);
        var buffer = builder.ToBuffer();
        CollectionAssert.AreEqual(names, buffer.ToArray());
        CollectionAssert.AreEqual(names.Select(n => n.Length).ToArray(), buffer.Lengths.ToArray());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => buffer[names.Length]);
    }

    [TestMethod]
    public void ANameOverSeveralStringBuilderChunksWidensWithoutLosingItsStart()
    {
        var builder = new NameBuffer.Builder();
        builder.Add("ab");
        var name = new StringBuilder(4);
        name.Append("éèê").Append(new string('x', 40)).Append("ł").Append("yz"); // several chunks; the wide character in a later one
        Assert.IsTrue(CountChunks(name) > 1);
        builder.Add(name);
        builder.Add("c");
        CollectionAssert.AreEqual(new[] { "ab", name.ToString(), "c" }, builder.ToBuffer().ToArray());
    }

    [TestMethod]
    public void GatherAndUpToKeepTheOrderAndTheText()
    {
        string[] names = ["anna", "bo", "christopher", "dé", "ełżbieta", "f"];
        foreach (bool wide in new[] { false, true })
        {
            var builder = new NameBuffer.Builder();
            foreach (string name in names.Where(n => wide || n.All(c => c <= '\u00FF')))
                builder.Add(name);
            var buffer = builder.ToBuffer();
            var all = buffer.ToArray();
            CollectionAssert.AreEqual(new[] { all[2], all[0], all[2] }, buffer.Gather([2, 0, 2]).ToArray(), $"wide: {wide}");
            CollectionAssert.AreEqual(all.Where(n => n.Length <= 4).ToArray(), buffer.UpTo(4).ToArray(), $"wide: {wide}");
            Assert.AreEqual(0, buffer.UpTo(0).Count);
        }
    }

    [TestMethod]
    public void ReadBufferReadsWhatReadReads()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "  emma \n\nzoë\n日本\r\nolivia\n", new UTF8Encoding(false));
            CollectionAssert.AreEqual(NameList.Read(path).ToArray(), NameList.ReadBuffer(path).ToArray());
            var lower = new NameListOptions { Lowercase = true, InvalidCharacters = InvalidCharacterPolicy.RemoveCharacter };
            File.WriteAllText(path, "Emma\nZO\u0001Ë\n", new UTF8Encoding(false));
            CollectionAssert.AreEqual(NameList.Read(path, lower).ToArray(), NameList.ReadBuffer(path, lower).ToArray());
            Assert.ThrowsExactly<FormatException>(() => NameList.ReadBuffer(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void ASplitOfABufferHasTheNamesOfTheSplitOfTheList()
    {
        var builder = new NameBuffer.Builder();
        var names = Enumerable.Range(0, 2345).Select(i => i % 97 == 0 ? $"ñ{i}" : $"n{i}").ToList();
        foreach (string name in names)
            builder.Add(name);
        var buffer = builder.ToBuffer();
        foreach (var (protocol, seed) in new[] { (SplitProtocol.Lecture, 42), (SplitProtocol.Random, 7), (SplitProtocol.MakemorePy, 3407), (SplitProtocol.None, 0) })
        {
            var fromList = NameSplitter.Split(names, protocol, seed);
            var fromBuffer = NameSplitter.Split(buffer, protocol, seed);
            CollectionAssert.AreEqual(fromList.Train.ToArray(), fromBuffer.Train.ToArray(), $"{protocol}");
            CollectionAssert.AreEqual(fromList.Dev.ToArray(), fromBuffer.Dev.ToArray(), $"{protocol}");
            CollectionAssert.AreEqual(fromList.Test.ToArray(), fromBuffer.Test.ToArray(), $"{protocol}");
        }
    }

    [TestMethod]
    public void LoadedNamesKnowTheirCountAndDoNotFollowTheListAfterwards()
    {
        var ml = new MLContext(seed: 0);
        var names = new List<string> { "emma", "olivia" };
        var view = ml.Data.LoadNames(names);
        names.Add("ava");
        Assert.AreEqual(2L, view.GetRowCount());
        CollectionAssert.AreEqual(new[] { "emma", "olivia" }, ml.Data.CreateEnumerable<NameInput>(view, reuseRowObject: false).Select(r => r.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "emma", "olivia" }, ml.Data.CreateEnumerable<NameInput>(view, reuseRowObject: false).Select(r => r.Name).ToArray(), "read twice");
    }

    private static int CountChunks(StringBuilder builder)
    {
        int chunks = 0;
        foreach (var _ in builder.GetChunks())
            chunks++;
        return chunks;
    }
}
