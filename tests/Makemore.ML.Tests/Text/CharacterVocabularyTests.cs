using Makemore.ML.Text;

namespace Makemore.ML.Tests.Text;

[TestClass]
public sealed class CharacterVocabularyTests
{
    [TestMethod]
    public void BoundaryIsZeroAndCharactersAreSorted()
    {
        var vocabulary = CharacterVocabulary.Learn(["emma", "ava"]);
        Assert.AreEqual(".aemv", vocabulary.ToString());
        Assert.AreEqual(0, vocabulary.IdOf('.'));
        CollectionAssert.AreEqual(new[] { 2, 3, 3, 1 }, vocabulary.Encode("emma"));
        Assert.AreEqual("emma", vocabulary.Decode(vocabulary.Encode("emma")));
    }

    [TestMethod]
    public void OriginalFileHas27Symbols()
    {
        var vocabulary = CharacterVocabulary.Learn(TestData.OriginalNamesOrInconclusive());
        Assert.AreEqual(".abcdefghijklmnopqrstuvwxyz", vocabulary.ToString(), "docs/reference-figures.md: 26 letters + '.' = 27 symbols");
    }

    [TestMethod]
    public void BoundaryInsideTrainingTextIsAnError()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => CharacterVocabulary.Learn(["ann", "st.john"]));
        StringAssert.Contains(error.Message, "Text 2");
        StringAssert.Contains(error.Message, "column 3");
    }

    [TestMethod]
    public void PoliciesForUnseenCharacters()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => CharacterVocabulary.Learn(["ab"]).Encode("abz"));
        StringAssert.Contains(error.Message, "'z' (U+007A) at column 3");
        CollectionAssert.AreEqual(new[] { 1, 2 }, CharacterVocabulary.Learn(["ab"], UnknownCharacterPolicy.Skip).Encode("azb"));
        var mapping = CharacterVocabulary.Learn(["ab"], UnknownCharacterPolicy.MapToUnknown);
        Assert.AreEqual(4, mapping.Size);
        Assert.AreEqual(3, mapping.UnknownId);
        CollectionAssert.AreEqual(new[] { 1, 3, 2 }, mapping.Encode("azb"));
    }

    [TestMethod]
    [DataRow(UnknownCharacterPolicy.Error)]
    [DataRow(UnknownCharacterPolicy.Skip)]
    public void ReplacementCharacterInTrainingTextIsAnOrdinarySymbolWithoutMapToUnknown(UnknownCharacterPolicy policy)
    {
        // U+FFFD is reserved only when MapToUnknown appends it as the unknown symbol; otherwise a vocabulary learned from
        // a text must encode that text back.
        var vocabulary = CharacterVocabulary.Learn(["a\uFFFDb"], policy);
        Assert.AreEqual(".ab\uFFFD", vocabulary.ToString());
        CollectionAssert.AreEqual(new[] { 1, 3, 2 }, vocabulary.Encode("a\uFFFDb"));
        Assert.AreEqual("a\uFFFDb", vocabulary.Decode(vocabulary.Encode("a\uFFFDb")));
        var mapping = CharacterVocabulary.Learn(["a\uFFFDb"], UnknownCharacterPolicy.MapToUnknown);
        Assert.AreEqual(".ab\uFFFD", mapping.ToString(), "MapToUnknown: U+FFFD once, last, as the unknown symbol");
        Assert.AreEqual(3, mapping.UnknownId);
    }

    [TestMethod]
    public void SavedFormRoundTrips()
    {
        var vocabulary = CharacterVocabulary.Learn(["zoë", "ann"], UnknownCharacterPolicy.MapToUnknown);
        var state = ML.Persistence.ModelState.EncodeVocabulary(vocabulary);
        Assert.AreEqual(vocabulary, ML.Persistence.ModelState.GetVocabulary(state.AsMemory()));
    }
}
