using System.Text;
using Makemore.ML.Text;

namespace Makemore.ML.Data;

/// <summary>What the loader does with a character no vocabulary can hold (control characters, lone surrogates); <c>'.'</c> is a character like any other.</summary>
public enum InvalidCharacterPolicy
{
    /// <summary>Stop with an error naming the file, the line, the column and the character.</summary>
    Error,
    /// <summary>Leave the whole line out.</summary>
    SkipLine,
    /// <summary>Remove the character and keep the rest of the line.</summary>
    RemoveCharacter,
}

/// <summary>Options for reading a "one item per line" file.</summary>
public sealed class NameListOptions
{
    /// <summary>What to do with characters no vocabulary can hold. Default: <see cref="InvalidCharacterPolicy.Error"/>.</summary>
    public InvalidCharacterPolicy InvalidCharacters { get; set; } = InvalidCharacterPolicy.Error;

    /// <summary>Lowercase every line (invariant culture). Default: false, the text is taken as it is.</summary>
    public bool Lowercase { get; set; }
}

/// <summary>Reads "one item per line" text files (makemore's input format): lines are trimmed and blank lines skipped.</summary>
public static class NameList
{
    /// <summary>Reads the items of a UTF-8 text file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Invalid-character policy and case handling; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line has a character no vocabulary can hold (message: file, line, column, character).</exception>
    public static IReadOnlyList<string> Read(string path, NameListOptions? options = null)
    {
        var items = new List<string>();
        Read(path, options, name => items.Add(name.ToString()));
        return items;
    }

    /// <summary>
    /// <see cref="Read(string, NameListOptions?)"/> into one buffer rather than a string per item (<c>makemore train</c>
    /// holds every name of a large file through the fit).
    /// </summary>
    internal static NameBuffer ReadBuffer(string path, NameListOptions? options = null)
    {
        var names = new NameBuffer.Builder();
        Read(path, options, names.Add);
        return names.ToBuffer();
    }

    private static void Read(string path, NameListOptions? options, Action<StringBuilder> add)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No such file: {path}", path);
        using var reader = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        try
        {
            Parse(reader, path, options, add);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"{path}:{DescribeInvalidUtf8(path)}; save the file as UTF-8.", e);
        }
    }

    // "line:column: byte 0xFF is not valid UTF-8" for the first bad byte (column counts characters, as editors do).
    private static string DescribeInvalidUtf8(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int line = 1, column = 1;
        for (int i = 0; i < bytes.Length;)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes.AsSpan(i), out var rune, out int consumed);
            if (status != System.Buffers.OperationStatus.Done)
                return $"{line}:{column}: byte 0x{bytes[i]:X2} is not valid UTF-8";
            i += consumed;
            if (rune.Value == '\n')
                (line, column) = (line + 1, 1);
            else
                column++;
        }
        return " the file is not valid UTF-8";
    }

    /// <summary>Parses items from text (for tests and in-memory data); <paramref name="source"/> names it in errors.</summary>
    public static IReadOnlyList<string> Parse(TextReader reader, string source = "<text>", NameListOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var items = new List<string>();
        Parse(reader, source, options, name => items.Add(name.ToString()));
        return items;
    }

    // Hands each item to `add` as it is read (the builder is reused for the next one).
    private static void Parse(TextReader reader, string source, NameListOptions? options, Action<StringBuilder> add)
    {
        options ??= new NameListOptions();
        var sb = new StringBuilder();
        int lineNumber = 0;
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            string text = line.Trim();
            if (options.Lowercase)
                text = text.ToLowerInvariant();
            if (text.Length == 0)
                continue;
            sb.Clear();
            bool skip = false;
            for (int i = 0; i < text.Length && !skip; i++)
            {
                char c = text[i];
                string? problem = Problem(c);
                if (problem is null)
                {
                    sb.Append(c);
                    continue;
                }
                switch (options.InvalidCharacters)
                {
                    case InvalidCharacterPolicy.Error:
                        int column = line.IndexOf(text, StringComparison.Ordinal) is var offset and >= 0 ? offset + i + 1 : i + 1;
                        throw new FormatException(
                            $"{source}:{lineNumber}:{column}: {CharacterVocabulary.Describe(text, i)} in '{text}' {problem}. " +
                            $"Fix the line, or set {nameof(NameListOptions.InvalidCharacters)} to {nameof(InvalidCharacterPolicy.SkipLine)} or {nameof(InvalidCharacterPolicy.RemoveCharacter)}.");
                    case InvalidCharacterPolicy.SkipLine:
                        skip = true;
                        break;
                    case InvalidCharacterPolicy.RemoveCharacter:
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown policy {options.InvalidCharacters}.");
                }
            }
            if (!skip && sb.Length > 0)
                add(sb);
        }
    }

    private static string? Problem(char c) => c switch
    {
        _ when char.IsControl(c) => "is a control character",
        _ when char.IsSurrogate(c) => "is outside the Basic Multilingual Plane (characters are UTF-16 units here)",
        _ => null,
    };
}
