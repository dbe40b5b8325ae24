using Microsoft.ML;
using Microsoft.ML.Data;

namespace Makemore.ML.Data;

/// <summary>
/// The errors for an input schema that cannot serve an estimator or transformer, worded as ML.NET's own
/// (<c>Schema mismatch for input column 'Name': expected String, got Single</c>), so that a Makemore step in a pipeline
/// fails the way the built-in steps around it do, naming the user's column.
/// </summary>
internal static class SchemaErrors
{
    /// <summary>The column is not in the schema.</summary>
    /// <param name="role">ML.NET's word for what the column is to the step: <c>input</c>, <c>feature</c>, <c>label</c>.</param>
    /// <param name="column">The column's name.</param>
    /// <param name="hint">What to do about it, or null.</param>
    public static ArgumentOutOfRangeException Missing(string role, string column, string? hint = null) =>
        new("inputSchema", $"Could not find {role} column '{column}'.{(hint is null ? "" : " " + hint)}");

    /// <summary>The column is there but of another type.</summary>
    /// <param name="role">ML.NET's word for what the column is to the step.</param>
    /// <param name="column">The column's name.</param>
    /// <param name="expected">The type the step takes, in words.</param>
    /// <param name="actual">The column's type.</param>
    public static ArgumentOutOfRangeException Mismatch(string role, string column, string expected, object? actual) =>
        new("inputSchema", $"Schema mismatch for {role} column '{column}': expected {expected}, got {actual}.");

    /// <summary>The shape's kind and item type as ML.NET names a type (<c>Single</c>, <c>Vector&lt;Int32&gt;</c>).</summary>
    public static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}>",
        _ => $"VarVector<{column.ItemType}>",
    };
}
