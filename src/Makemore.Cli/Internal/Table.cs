using System.Globalization;
using System.Text;

namespace Makemore.Cli.Internal;

/// <summary>A plain-text table with right-aligned numbers.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params object[] cells) => _rows.Add(cells.Select(Format).ToArray());

    public void Write(TextWriter output)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells, bool header)
        {
            for (int i = 0; i < cells.Count; i++)
            {
                bool left = i == 0 || header;
                sb.Append(i == 0 ? "" : "  ").Append(left ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
            }
            output.WriteLine(sb.ToString().TrimEnd());
            sb.Clear();
        }
        Line(headers, header: true);
        output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
            Line(row, header: false);
    }

    private static string Format(object cell) => cell switch
    {
        double d => d.ToString("F5", CultureInfo.InvariantCulture),
        int or long => string.Format(CultureInfo.InvariantCulture, "{0:N0}", cell),
        _ => Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "",
    };
}
