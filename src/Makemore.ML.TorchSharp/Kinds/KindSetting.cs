using System.Globalization;

namespace Makemore.ML.TorchSharp.Kinds;

/// <summary>How a setting's value is written on a command line, and what values it takes.</summary>
public enum SettingValue
{
    /// <summary>A whole number within <see cref="KindSetting.Minimum"/>…<see cref="KindSetting.Maximum"/>.</summary>
    Whole,

    /// <summary>A finite number &gt; 0 that fits a float (it ends up in a float tensor).</summary>
    Positive,

    /// <summary>A finite number ≥ 0 that fits a float.</summary>
    NonNegative,

    /// <summary>On when given (a switch).</summary>
    Switch,

    /// <summary>Text that the setting parses itself (a choice such as <c>joint</c>, or <c>kneser-ney:0.75</c>).</summary>
    Text,
}

/// <summary>
/// One setting of a model kind's options, named by its flag (makemore.py's where it has one): what a command line, a
/// sweep or a form needs to show its default, read a value and set it, without knowing the kind.
/// </summary>
/// <param name="Flag">The flag, e.g. <c>--n-embd</c>.</param>
/// <param name="Description">What it means, in one line (without its default: <see cref="Default"/> gives that).</param>
/// <param name="Value">How its value is written.</param>
/// <param name="Get">Its value in an options object of the kind, as text.</param>
/// <param name="Set">Sets it in an options object from text (already checked against <see cref="Value"/>'s range); throws <see cref="FormatException"/> for text it cannot parse.</param>
public sealed record KindSetting(string Flag, string Description, SettingValue Value, Func<object, string?> Get, Action<object, string> Set)
{
    /// <summary>The smallest whole value (<see cref="SettingValue.Whole"/>).</summary>
    public long Minimum { get; init; } = 1;

    /// <summary>The largest whole value (<see cref="SettingValue.Whole"/>).</summary>
    public long Maximum { get; init; } = int.MaxValue;

    /// <summary>The setting's value in <paramref name="options"/> (e.g. a fresh options object: the kind's default), or null where it has none.</summary>
    public string? Default(object options) => Get(options);

    /// <summary>A whole-number setting of <typeparamref name="TOptions"/>.</summary>
    public static KindSetting Whole<TOptions>(string flag, string description, Func<TOptions, int?> get, Action<TOptions, int> set, int minimum = 1, int maximum = int.MaxValue) =>
        new(flag, description, SettingValue.Whole, o => get((TOptions)o)?.ToString(CultureInfo.InvariantCulture),
            (o, text) => set((TOptions)o, int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)))
        {
            Minimum = minimum,
            Maximum = maximum,
        };

    /// <summary>A number setting of <typeparamref name="TOptions"/> (<see cref="SettingValue.Positive"/> or <see cref="SettingValue.NonNegative"/>).</summary>
    public static KindSetting Number<TOptions>(string flag, string description, SettingValue value, Func<TOptions, double> get, Action<TOptions, double> set) =>
        new(flag, description, value, o => get((TOptions)o).ToString("G", CultureInfo.InvariantCulture),
            (o, text) => set((TOptions)o, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)));

    /// <summary>A switch of <typeparamref name="TOptions"/>.</summary>
    public static KindSetting Switch<TOptions>(string flag, string description, Func<TOptions, bool> get, Action<TOptions, bool> set) =>
        new(flag, description, SettingValue.Switch, o => get((TOptions)o) ? "on" : "off",
            (o, text) => set((TOptions)o, bool.Parse(text)));

    /// <summary>A text setting of <typeparamref name="TOptions"/>, parsed by <paramref name="set"/>.</summary>
    public static KindSetting Text<TOptions>(string flag, string description, Func<TOptions, string?> get, Action<TOptions, string> set) =>
        new(flag, description, SettingValue.Text, o => get((TOptions)o), (o, text) => set((TOptions)o, text));
}
