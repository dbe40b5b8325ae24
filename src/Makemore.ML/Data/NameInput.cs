namespace Makemore.ML.Data;

/// <summary>
/// One item of a name list: the row type of <c>mlContext.Data.LoadNames</c>, and the input of a
/// <c>PredictionEngine&lt;NameInput, NameScore&gt;</c> over a Makemore model.
/// </summary>
public sealed class NameInput
{
    /// <summary>The default name of the text column.</summary>
    public const string ColumnName = "Name";

    /// <summary>The item's text, e.g. <c>emma</c>.</summary>
    public string Name { get; set; } = "";
}
