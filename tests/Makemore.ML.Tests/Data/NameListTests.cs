using Makemore.ML.Data;

namespace Makemore.ML.Tests.Data;

[TestClass]
public sealed class NameListTests
{
    private static IReadOnlyList<string> Parse(string text, NameListOptions? options = null) =>
        NameList.Parse(new StringReader(text), "names.txt", options);

    [TestMethod]
    public void TrimsAndSkipsBlankLines()
    {
        CollectionAssert.AreEqual(new[] { "emma", "ava" }, Parse("  emma \n\n\t\nava\r\n").ToArray());
    }

    [TestMethod]
    [DataRow("emma\n  a\u0001b\n", "names.txt:2:4", "U+0001", DisplayName = "control character, column counts the untrimmed line")]
    public void InvalidCharacterErrorNamesFileLineColumnAndCharacter(string text, string location, string character)
    {
        var error = Assert.ThrowsExactly<FormatException>(() => Parse(text));
        StringAssert.StartsWith(error.Message, location);
        StringAssert.Contains(error.Message, character);
    }

    [TestMethod]
    public void DotsAreCharactersOfAName()
    {
        CollectionAssert.AreEqual(new[] { "j.r.r", "zope.interface", "mr. smith" }, Parse("j.r.r\nzope.interface\n mr. smith \n").ToArray());
    }

    [TestMethod]
    public void PoliciesSkipTheLineOrRemoveTheCharacter()
    {
        CollectionAssert.AreEqual(new[] { "emma" }, Parse("emma\nst\u0001john\n", new() { InvalidCharacters = InvalidCharacterPolicy.SkipLine }).ToArray());
        CollectionAssert.AreEqual(new[] { "emma", "stjohn" }, Parse("emma\nst\u0001john\n", new() { InvalidCharacters = InvalidCharacterPolicy.RemoveCharacter }).ToArray());
        CollectionAssert.AreEqual(new[] { "emma" }, Parse("EMMA\n", new() { Lowercase = true }).ToArray());
    }

    [TestMethod]
    public void MissingFileAndInvalidUtf8AreClearErrors()
    {
        Assert.ThrowsExactly<FileNotFoundException>(() => NameList.Read("/no/such/names.txt"));
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, [(byte)'a', 0xff, (byte)'\n']);
            var error = Assert.ThrowsExactly<FormatException>(() => NameList.Read(path));
            StringAssert.Contains(error.Message, "not valid UTF-8");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void OriginalFileFacts()
    {
        var names = TestData.OriginalNamesOrInconclusive();
        Assert.AreEqual(32_033, names.Count, "docs/reference-figures.md");
        Assert.AreEqual(29_494, names.Distinct().Count(), "docs/reference-figures.md");
        Assert.AreEqual(2, names.Min(n => n.Length));
        Assert.AreEqual(15, names.Max(n => n.Length));
    }

    [TestMethod]
    public void BundledFileLoadsAndIsDeduplicated()
    {
        var names = NameList.Read(TestData.BundledNamesPath);
        Assert.IsGreaterThan(29_000, names.Count);
        Assert.AreEqual(names.Count, names.Distinct().Count(), "data/README.md: one line per distinct name");
        Assert.IsTrue(names.All(n => n.All(c => c is >= 'a' and <= 'z')));
    }
}
