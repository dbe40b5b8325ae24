using System.Globalization;
using Makemore.ML.Persistence;
using ScottPlot;

namespace Makemore.Cli.Plotting;

/// <summary>The lecture's figures as PNG files (ScottPlot).</summary>
internal static class Plots
{
    /// <summary>
    /// A V×V matrix as the lecture draws the bigram table (<c>plt.imshow(N, cmap='Blues')</c>): each cell labelled with
    /// the bigram and its value. Row = first character, column = second.
    /// </summary>
    public static void Matrix(string path, IReadOnlyList<char> symbols, double[,] values, Func<double, string> format, string title)
    {
        int v = symbols.Count;
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        double max = values.Cast<double>().Max();
        for (int i = 0; i < v; i++)
        {
            for (int j = 0; j < v; j++)
            {
                var color = values[i, j] > max * 0.6 ? Colors.White : Colors.Gray;
                var label = plot.Add.Text($"{symbols[i]}{symbols[j]}", j, v - 1 - i + 0.18);
                label.LabelFontSize = 9;
                label.LabelFontColor = color;
                label.LabelAlignment = Alignment.MiddleCenter;
                var number = plot.Add.Text(format(values[i, j]), j, v - 1 - i - 0.18);
                number.LabelFontSize = 8;
                number.LabelFontColor = color;
                number.LabelAlignment = Alignment.MiddleCenter;
            }
        }
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Title(title);
        SaveAtomically(plot, path, 64 * v, 64 * v + 40);
    }

    /// <summary>Loss curves: one line per series (e.g. train, dev) against the step.</summary>
    public static void Curves(string path, string title, string xLabel, string yLabel, IReadOnlyList<(string Name, double[] X, double[] Y)> series, bool logX = false)
    {
        var plot = new Plot();
        foreach (var (name, x, y) in series)
        {
            var line = plot.Add.Scatter(logX ? x.Select(Math.Log10).ToArray() : x, y);
            line.LegendText = name;
            line.MarkerSize = x.Length > 50 ? 0 : 6;
        }
        if (logX)
        {
            var ticks = new ScottPlot.TickGenerators.NumericAutomatic
            {
                LabelFormatter = value => Math.Pow(10, value).ToString("G3", CultureInfo.InvariantCulture),
            };
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        SaveAtomically(plot, path, 900, 550);
    }

    /// <summary>Bars: one per labelled value (e.g. the surprisal −ln p of each character of a name).</summary>
    public static void Bars(string path, string title, string yLabel, IReadOnlyList<(string Label, double Value)> bars)
    {
        var plot = new Plot();
        var barPlot = plot.Add.Bars(bars.Select(b => b.Value).ToArray());
        foreach (var bar in barPlot.Bars)
            bar.Label = bar.Value.ToString("F2", CultureInfo.InvariantCulture);
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, bars.Count).Select(i => (double)i).ToArray(), bars.Select(b => b.Label).ToArray());
        plot.Axes.Bottom.TickLabelStyle.FontSize = 18;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        SaveAtomically(plot, path, Math.Max(500, 70 * bars.Count), 500);
    }

    /// <summary>Points labelled with text, as the lecture draws <c>plt.scatter(C[:,0], C[:,1])</c> with each character written on its point.</summary>
    public static void Labelled(string path, string title, (string X, string Y) axes, IReadOnlyList<(string Label, double X, double Y)> points)
    {
        var plot = new Plot();
        var scatter = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
        scatter.MarkerSize = 28;
        scatter.Color = Colors.SteelBlue.WithAlpha(0.35);
        foreach (var (label, x, y) in points)
        {
            var text = plot.Add.Text(label, x, y);
            text.LabelFontSize = 14;
            text.LabelBold = true;
            text.LabelAlignment = Alignment.MiddleCenter;
        }
        plot.Title(title);
        plot.XLabel(axes.X);
        plot.YLabel(axes.Y);
        SaveAtomically(plot, path, 800, 800);
    }

    // Rendered in memory, then written through AtomicFile: an existing PNG is replaced whole or not at all.
    private static void SaveAtomically(Plot plot, string path, int width, int height)
    {
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
