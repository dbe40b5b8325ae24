using Microsoft.ML;
using Microsoft.ML.Data;
using Makemore.ML.Data;

namespace Makemore.ML.Text;

/// <summary>Options of <c>mlContext.Data.ExpandCharacterEvents</c>: which columns, how much context, which vocabulary.</summary>
public sealed class CharacterEventsOptions
{
    /// <summary>The names column read. Default <c>Name</c>.</summary>
    public string InputColumnName { get; set; } = NameInput.ColumnName;

    /// <summary>Previous characters in a context, 1 (bigram) to <see cref="CharacterEvents.MaxBlockSize"/>. Default 1.</summary>
    public int BlockSize { get; set; } = CharacterEvents.Defaults.BlockSize;

    /// <summary>The text column of the characters before the predicted one (no padding). Default <c>Prefix</c>.</summary>
    public string PrefixColumnName { get; set; } = CharacterEvents.Defaults.PrefixColumnName;

    /// <summary>The context column: a key vector of <see cref="BlockSize"/> characters, padded on the left with the boundary (key 1). Default <c>Context</c>.</summary>
    public string ContextColumnName { get; set; } = CharacterEvents.Defaults.ContextColumnName;

    /// <summary>The key column of the predicted (next) character, the boundary (key 1) for the end. Default <c>Label</c>.</summary>
    public string LabelColumnName { get; set; } = CharacterEvents.Defaults.LabelColumnName;

    /// <summary>The vocabulary of the keys; null to learn it from the names (as <c>MapCharactersToIds</c> does). Pass the training part's to expand dev and test.</summary>
    public CharacterVocabulary? Vocabulary { get; set; }
}

/// <summary>
/// Expands a names view into an events view: one row per predicted character (every character of a name, then the end
/// boundary), with its context as a fixed-length key vector and the next character as a key label, both keyed by the
/// vocabulary (key k = id k − 1; the characters are the keys' <c>KeyValues</c> annotation, the boundary <c>"."</c>, or
/// <c>"&lt;.&gt;"</c> when <c>'.'</c> is one of the characters). This is the lecture's
/// <c>xs, ys</c>, as an <c>IDataView</c> that ML.NET's own transforms and trainers consume.
/// </summary>
public static class CharacterEvents
{
    /// <summary>The longest context an events view or <c>MapCharacterContextToKeys</c> holds.</summary>
    public const int MaxBlockSize = 16;

    /// <summary>Default values, shared by the catalog, the options and the CLI.</summary>
    public static class Defaults
    {
        /// <summary>One previous character: bigram events.</summary>
        public const int BlockSize = 1;

        /// <summary>The default prefix column.</summary>
        public const string PrefixColumnName = "Prefix";

        /// <summary>The default context column.</summary>
        public const string ContextColumnName = "Context";

        /// <summary>The default label column (ML.NET's trainers' default).</summary>
        public const string LabelColumnName = "Label";
    }

    /// <summary>The events view of <paramref name="names"/>, built with the given catalog (the user's context).</summary>
    internal static IDataView Expand(DataOperationsCatalog catalog, IDataView names, CharacterEventsOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(options);
        CheckBlockSize(options.BlockSize);
        var texts = MakemoreDataCatalog.ReadColumn(names, options.InputColumnName);
        var vocabulary = options.Vocabulary ?? CharacterVocabulary.Learn(texts);
        int[][] ids = texts.Select(t => vocabulary.Encode(t)).ToArray();
        int n = options.BlockSize;

        var schema = SchemaDefinition.Create(typeof(EventRow));
        schema[nameof(EventRow.Prefix)].ColumnName = options.PrefixColumnName;
        var context = schema[nameof(EventRow.Context)];
        context.ColumnName = options.ContextColumnName;
        context.ColumnType = new VectorDataViewType(KeyType(vocabulary), n);
        AddKeyValues(context, vocabulary);
        var label = schema[nameof(EventRow.Label)];
        label.ColumnName = options.LabelColumnName;
        label.ColumnType = KeyType(vocabulary);
        AddKeyValues(label, vocabulary);
        schema[nameof(EventRow.Name)].ColumnName = options.InputColumnName;
        return catalog.LoadFromEnumerable(Rows(texts, ids, vocabulary, n), schema);
    }

    /// <summary>The key type of a vocabulary's characters: one key per symbol.</summary>
    internal static KeyDataViewType KeyType(CharacterVocabulary vocabulary) => new(typeof(uint), vocabulary.Size);

    /// <summary>The vocabulary's symbols in id order, as a <c>KeyValues</c> annotation holds them (<see cref="CharacterVocabulary.TextOf"/>).</summary>
    internal static VBuffer<ReadOnlyMemory<char>> KeyValues(CharacterVocabulary vocabulary) =>
        new(vocabulary.Size, Enumerable.Range(0, vocabulary.Size).Select(id => vocabulary.TextOf(id).AsMemory()).ToArray());

    internal static void CheckBlockSize(int blockSize)
    {
        if (blockSize is < 1 or > MaxBlockSize)
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, $"The block size must be between 1 and {MaxBlockSize}.");
    }

    private static void AddKeyValues(SchemaDefinition.Column column, CharacterVocabulary vocabulary) =>
        column.AddAnnotation("KeyValues", KeyValues(vocabulary), new VectorDataViewType(TextDataViewType.Instance, vocabulary.Size));

    // One row per predicted character: the context (ids + 1 as keys, the boundary = key 1 before the start), then the next key.
    private static IEnumerable<EventRow> Rows(List<string> texts, int[][] ids, CharacterVocabulary vocabulary, int blockSize)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            var name = ids[i];
            for (int t = 0; t <= name.Length; t++)
            {
                var context = new uint[blockSize];
                for (int j = 0; j < blockSize; j++)
                    context[j] = (uint)ContextWindow.At(name, t - blockSize + j) + 1;
                yield return new EventRow
                {
                    Name = texts[i],
                    Prefix = vocabulary.Decode(name.AsSpan(0, t)),
                    Context = context,
                    Label = t < name.Length ? (uint)name[t] : 0u, // the id: LoadFromEnumerable adds 1 to a scalar key (not to a key vector)
                };
            }
        }
    }

    private sealed class EventRow
    {
        public string Name { get; set; } = "";

        public string Prefix { get; set; } = "";

        public uint[] Context { get; set; } = [];

        public uint Label { get; set; }
    }
}
