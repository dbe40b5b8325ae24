namespace Makemore.ML.Data;

/// <summary>One item of a name list, as the <c>IDataView</c> row that <c>mlContext.Data.LoadNames</c> produces.</summary>
public sealed class NameRow
{
    /// <summary>The default name of the text column.</summary>
    public const string ColumnName = "Name";

    /// <summary>The item's text, e.g. <c>emma</c>.</summary>
    public string Name { get; set; } = "";
}
