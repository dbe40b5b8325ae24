using Microsoft.ML.Data;
using Makemore.ML;
using Makemore.ML.Data;
using Makemore.ML.Text;

namespace Microsoft.ML;

/// <summary>Loading and splitting name lists as <c>IDataView</c>s: <c>mlContext.Data.LoadNames(...)</c>.</summary>
public static class MakemoreDataCatalog
{
    /// <summary>Loads a "one item per line" file as an <c>IDataView</c> with one text column, <c>Name</c>.</summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="path">The UTF-8 text file.</param>
    /// <param name="options">Invalid-character policy and case handling; null for the defaults (errors name file, line and column).</param>
    public static IDataView LoadNames(this DataOperationsCatalog catalog, string path, NameListOptions? options = null) =>
        catalog.LoadNames(NameList.Read(path, options));

    /// <summary>Wraps items already in memory as an <c>IDataView</c> with one text column, <c>Name</c>.</summary>
    public static IDataView LoadNames(this DataOperationsCatalog catalog, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(names);
        // The rows are made as a cursor reads them, not held (886k names: 28 MB of rows beside the names). A name list
        // is copied (a reference a name) so that the view does not change with it; a buffer of names is immutable.
        return Catalogs.Of(catalog).Data.LoadFromEnumerable(new NameRows(names as NameBuffer ?? (IReadOnlyList<string>)names.ToArray()));
    }

    // The rows of LoadNames: a collection, so that the view knows its row count as it did over a list of rows.
    private sealed class NameRows(IReadOnlyList<string> names) : ICollection<NameInput>
    {
        public int Count => names.Count;

        public bool IsReadOnly => true;

        public IEnumerator<NameInput> GetEnumerator()
        {
            foreach (string name in names)
                yield return new NameInput { Name = name };
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public void CopyTo(NameInput[] array, int arrayIndex)
        {
            foreach (var row in this)
                array[arrayIndex++] = row;
        }

        public bool Contains(NameInput item) => throw new NotSupportedException();

        public void Add(NameInput item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Remove(NameInput item) => throw new NotSupportedException();
    }

    /// <summary>
    /// Splits names 80/10/10 into train / dev / test; <see cref="SplitProtocol.Lecture"/> reproduces the lecture's split
    /// exactly, <see cref="SplitProtocol.MakemorePy"/> makemore.py's (train and test, the dev part empty).
    /// </summary>
    /// <param name="catalog">The data catalog.</param>
    /// <param name="names">A view with a text column.</param>
    /// <param name="protocol">Lecture (Python's shuffle with seed 42), Random (with <paramref name="seed"/>), MakemorePy (torch.randperm with <paramref name="seed"/>) or None.</param>
    /// <param name="seed">Seed for <see cref="SplitProtocol.Random"/> and <see cref="SplitProtocol.MakemorePy"/> (makemore.py's default is <see cref="NameSplitter.MakemorePySeed"/>).</param>
    /// <param name="columnName">The text column.</param>
    public static NameSplits<IDataView> SplitNames(this DataOperationsCatalog catalog, IDataView names,
        SplitProtocol protocol = SplitProtocol.Lecture, int seed = NameSplitter.LectureSeed, string columnName = NameInput.ColumnName)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var parts = NameSplitter.Split(ReadColumn(names, columnName), protocol, seed);
        return new(catalog.LoadNames(parts.Train), catalog.LoadNames(parts.Dev), catalog.LoadNames(parts.Test));
    }

    /// <summary>
    /// Expands a names view into an events view, one row per predicted character: the name, <c>Prefix</c> (the text before it),
    /// <c>Context</c> (its last <paramref name="blockSize"/> characters as a fixed-length key vector, boundary-padded) and
    /// <c>Label</c> (the character, the boundary for the end, as a key); the keys' <c>KeyValues</c> are the vocabulary learned from the names.
    /// ML.NET's <c>OneHotEncoding</c> and multiclass trainers and evaluator consume it as it is.
    /// </summary>
    /// <param name="catalog">The data catalog (the view is built with it).</param>
    /// <param name="names">A view with a text column.</param>
    /// <param name="blockSize">Characters in a context, 1 (bigram) to <see cref="CharacterEvents.MaxBlockSize"/>.</param>
    /// <param name="inputColumnName">The names column.</param>
    public static IDataView ExpandCharacterEvents(this DataOperationsCatalog catalog, IDataView names,
        int blockSize = CharacterEvents.Defaults.BlockSize, string inputColumnName = NameInput.ColumnName) =>
        CharacterEvents.Expand(catalog, names, new CharacterEventsOptions { BlockSize = blockSize, InputColumnName = inputColumnName });

    /// <summary>Expands a names view into an events view, with all options (column names, a given vocabulary for dev and test).</summary>
    public static IDataView ExpandCharacterEvents(this DataOperationsCatalog catalog, IDataView names, CharacterEventsOptions options) =>
        CharacterEvents.Expand(catalog, names, options);

    /// <summary>Reads a text column into a list.</summary>
    internal static List<string> ReadColumn(IDataView data, string columnName)
    {
        ArgumentNullException.ThrowIfNull(data);
        var column = data.Schema.GetColumnOrNull(columnName)
            ?? throw new ArgumentException($"Column '{columnName}' not found; the view has: {string.Join(", ", data.Schema.Select(c => c.Name))}.", nameof(columnName));
        if (column.Type is not TextDataViewType)
            throw new ArgumentException($"Column '{columnName}' must be text, but is {column.Type}.", nameof(columnName));
        var list = new List<string>();
        using var cursor = SequentialCursor.Open(data, [column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        ReadOnlyMemory<char> value = default;
        while (cursor.MoveNext())
        {
            getter(ref value);
            list.Add(value.ToString());
        }
        return list;
    }
}
