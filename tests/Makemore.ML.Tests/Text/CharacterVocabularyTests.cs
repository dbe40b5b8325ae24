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
        Assert.AreEqual('.', vocabulary.SymbolOf(0), "the boundary is displayed as '.'");
        Assert.AreEqual(-1, vocabulary.IdOf('.'), "the boundary is a token, not the character '.'");
        Assert.AreEqual(".", vocabulary.TextOf(0), "as KeyValues name it when '.' is no character: saved models unchanged");
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
    public void DotInTrainingTextIsACharacterWithItsOwnId()
    {
        var vocabulary = CharacterVocabulary.Learn(["ann", "st.john"]);
        Assert.AreEqual("..ahjnost", vocabulary.ToString(), "the boundary, then '.' (U+002E) sorted before the letters");
        Assert.AreEqual(1, vocabulary.IdOf('.'));
        CollectionAssert.AreEqual(new[] { 7, 8, 1, 4, 6, 3, 5 }, vocabulary.Encode("st.john"));
        Assert.AreEqual("st.john", vocabulary.Decode(vocabulary.Encode("st.john")));
        Assert.AreEqual('.', vocabulary.SymbolOf(0), "still displayed as '.'");
        Assert.AreEqual("<.>", vocabulary.TextOf(0), "as text the boundary cannot be the character");
        Assert.AreEqual(".", vocabulary.TextOf(1));
        Assert.AreEqual(vocabulary, CharacterVocabulary.FromCharacters("st.johna"));
    }

    [TestMethod]
    public void DotIsAnUnseenCharacterForAVocabularyWithoutIt()
    {
        var error = Assert.ThrowsExactly<FormatException>(() => CharacterVocabulary.Learn(["ann"]).Encode("a.n"));
        StringAssert.Contains(error.Message, "'.' (U+002E) at column 2, which is not in the vocabulary");
        CollectionAssert.AreEqual(new[] { 1, 2 }, CharacterVocabulary.Learn(["ann"], UnknownCharacterPolicy.Skip).Encode("a.n"));
        CollectionAssert.AreEqual(new[] { 1, 3, 2 }, CharacterVocabulary.Learn(["ann"], UnknownCharacterPolicy.MapToUnknown).Encode("a.n"));
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
    [DataRow("zoë", "ann")]
    [DataRow("zope.interface", "j.r.r")]
    public void SavedFormRoundTrips(string first, string second)
    {
        var vocabulary = CharacterVocabulary.Learn([first, second], UnknownCharacterPolicy.MapToUnknown);
        var state = ML.Persistence.ModelState.EncodeVocabulary(vocabulary);
        var read = ML.Persistence.ModelState.GetVocabulary(state.AsMemory());
        Assert.AreEqual(vocabulary, read);
        CollectionAssert.AreEqual(vocabulary.Encode(first), read.Encode(first));
    }
}
