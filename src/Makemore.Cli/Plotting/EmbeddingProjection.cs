namespace Makemore.Cli.Plotting;

/// <summary>Two coordinates per embedding for a scatter plot: the embedding itself when it is 2-D, else its 2 principal components.</summary>
internal static class EmbeddingProjection
{
    /// <summary>Projects the rows of C (count × size, row-major) to 2-D.</summary>
    public static ((double X, double Y)[] Points, (string X, string Y) Axes) TwoDimensions(ReadOnlySpan<float> embedding, int count, int size)
    {
        var rows = new double[count][];
        for (int i = 0; i < count; i++)
            rows[i] = embedding.Slice(i * size, size).ToArray().Select(x => (double)x).ToArray();
        if (size == 1)
            return (rows.Select(r => (r[0], 0.0)).ToArray(), ("C[:, 0]", ""));
        if (size == 2)
            return (rows.Select(r => (r[0], r[1])).ToArray(), ("C[:, 0]", "C[:, 1]"));
        var mean = Enumerable.Range(0, size).Select(d => rows.Average(r => r[d])).ToArray();
        var centred = rows.Select(r => r.Select((x, d) => x - mean[d]).ToArray()).ToArray();
        var covariance = new double[size, size];
        foreach (var r in centred)
            for (int a = 0; a < size; a++)
                for (int b = 0; b < size; b++)
                    covariance[a, b] += r[a] * r[b] / count;
        var first = PowerIteration(covariance, size, null);
        var second = PowerIteration(covariance, size, first);
        return (centred.Select(r => (Dot(r, first), Dot(r, second))).ToArray(), ("principal component 1", "principal component 2"));
    }

    // The leading eigenvector of a symmetric matrix, orthogonal to `except` when given (deflation by projection).
    private static double[] PowerIteration(double[,] matrix, int size, double[]? except)
    {
        var v = Enumerable.Range(0, size).Select(i => 1.0 + i * 0.01).ToArray();
        for (int iteration = 0; iteration < 500; iteration++)
        {
            var next = new double[size];
            for (int a = 0; a < size; a++)
                for (int b = 0; b < size; b++)
                    next[a] += matrix[a, b] * v[b];
            if (except is not null)
            {
                double along = Dot(next, except);
                for (int a = 0; a < size; a++)
                    next[a] -= along * except[a];
            }
            double norm = Math.Sqrt(Dot(next, next));
            if (norm == 0)
                return v;
            v = next.Select(x => x / norm).ToArray();
        }
        return v;
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();
}
