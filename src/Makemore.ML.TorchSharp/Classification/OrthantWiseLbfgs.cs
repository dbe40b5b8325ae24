using System.Numerics;
using System.Numerics.Tensors;

namespace Makemore.ML.TorchSharp.Classification;

/// <summary>
/// Full-batch limited-memory BFGS on float vectors, with an optional L1 term by the orthant-wise method (OWL-QN, Andrew
/// and Gao 2007, "Scalable training of L1-regularized log-linear models" — what ML.NET's <c>LbfgsMaximumEntropy</c> uses
/// when its L1 weight is above zero): minimises <c>f(x) + l1 · Σ|x_i|</c> over the first <c>l1Count</c> coordinates, for a
/// smooth f given with its gradient. Directions from the last <see cref="HistorySize"/> (s, y) pairs, a backtracking
/// (Armijo) line search that stays in the current orthant, and ML.NET's stopping rule: the mean relative improvement of
/// the objective over the last 5 iterations below <see cref="Tolerance"/>.
/// </summary>
internal sealed class OrthantWiseLbfgs(int historySize, double tolerance, int maxIterations)
{
    private const int ImprovementWindow = 5; // ML.NET's MeanRelativeImprovementCriterion looks back 5 iterations
    private const double Armijo = 1e-4; // sufficient decrease: f(x + αd) ≤ f(x) + 1e-4 · pg · (x_new − x)
    private const int Backtracks = 40; // halvings of the step before the line search gives up (float precision reached)

    /// <summary>The (s, y) pairs kept: memory is (2 · HistorySize + 6) vectors of x's length.</summary>
    public int HistorySize { get; } = historySize;

    /// <summary>Stop when the mean relative improvement over the last 5 iterations is below this.</summary>
    public double Tolerance { get; } = tolerance;

    /// <summary>The most iterations (each one direction and its line search).</summary>
    public int MaxIterations { get; } = maxIterations;

    /// <summary>Minimises from <paramref name="x"/> (overwritten with the result); returns the iterations run and the final objective.</summary>
    /// <param name="smooth">Writes ∇f(x) into its second argument and returns f(x).</param>
    /// <param name="x">The start, and on return the minimiser found.</param>
    /// <param name="l1Count">The L1 term covers x[0 .. l1Count).</param>
    /// <param name="l1">The L1 strength, ≥ 0; 0 is plain L-BFGS.</param>
    public (int Iterations, double Objective) Minimize(Func<float[], float[], double> smooth, float[] x, int l1Count, double l1)
    {
        int n = x.Length;
        float[] current = x, next = new float[n], gradient = new float[n], nextGradient = new float[n], pseudo = new float[n], direction = new float[n];
        var history = new LinkedList<(float[] S, float[] Y, double Rho)>();
        var recent = new Queue<double>();
        double value = smooth(current, gradient) + l1 * L1Norm(current, l1Count);
        int iteration = 0;
        while (iteration < MaxIterations)
        {
            PseudoGradient(current, gradient, pseudo, l1Count, l1);
            if (TensorPrimitives.MaxMagnitude(pseudo) == 0)
                break;
            Direction(pseudo, direction, history);
            if (l1 > 0)
                for (int i = 0; i < l1Count; i++)
                    if (direction[i] * pseudo[i] >= 0) // OWL-QN: keep only the coordinates that descend along −pg
                        direction[i] = 0;
            if (TensorPrimitives.Dot(direction, pseudo) >= 0) // not a descent direction (curvature lost): restart from −pg
            {
                history.Clear();
                TensorPrimitives.Negate(pseudo, direction);
            }
            double step = history.Count == 0 ? 1 / Math.Sqrt(TensorPrimitives.SumOfSquares(direction)) : 1;
            double nextValue = double.NaN;
            bool accepted = false;
            for (int b = 0; b < Backtracks && !accepted; b++, step /= 2)
            {
                TensorPrimitives.MultiplyAdd(direction, (float)step, current, next);
                if (l1 > 0)
                    for (int i = 0; i < l1Count; i++) // stay in the orthant of x (or of −pg where x is 0)
                    {
                        float orthant = current[i] != 0 ? current[i] : -pseudo[i];
                        if (next[i] * orthant <= 0)
                            next[i] = 0;
                    }
                TensorPrimitives.Subtract(next, current, nextGradient); // x_new − x, in a buffer the evaluation overwrites
                double decrease = TensorPrimitives.Dot(pseudo, nextGradient); // pg · (x_new − x) < 0
                nextValue = smooth(next, nextGradient) + l1 * L1Norm(next, l1Count);
                accepted = nextValue <= value + Armijo * decrease;
            }
            if (!accepted)
                break; // no step decreases the objective at float precision: converged
            iteration++;
            Remember(history, current, next, gradient, nextGradient);
            (current, next) = (next, current);
            (gradient, nextGradient) = (nextGradient, gradient);
            recent.Enqueue(value);
            value = nextValue;
            if (recent.Count > ImprovementWindow)
                recent.Dequeue();
            if (recent.Count == ImprovementWindow && (recent.Peek() - value) / (ImprovementWindow * Math.Abs(value)) < Tolerance)
                break;
        }
        if (!ReferenceEquals(current, x))
            current.CopyTo(x, 0);
        return (iteration, value);
    }

    private static double L1Norm(float[] x, int count)
    {
        const int Block = 4096;
        double sum = 0;
        for (int i = 0; i < count; i += Block)
            sum += TensorPrimitives.SumOfMagnitudes(x.AsSpan(i, Math.Min(Block, count - i)));
        return sum;
    }

    // The steepest-descent direction's negative for f + l1 · |x|: ∇f plus l1 · sign(x), and where x is 0 the one-sided
    // derivative that descends (0 when neither does).
    private static void PseudoGradient(float[] x, float[] gradient, float[] pseudo, int l1Count, double l1)
    {
        gradient.CopyTo(pseudo, 0);
        if (l1 == 0)
            return;
        float c = (float)l1;
        for (int i = 0; i < l1Count; i++)
        {
            float g = gradient[i];
            pseudo[i] = x[i] > 0 ? g + c : x[i] < 0 ? g - c : g + c < 0 ? g + c : g - c > 0 ? g - c : 0;
        }
    }

    // d = −H · pg by the two-loop recursion over the (s, y) pairs, newest first, scaled by sᵀy / yᵀy of the newest. Each
    // update of d is fused with the dot product the next step needs, so a pair costs two passes over memory, not four.
    private static void Direction(float[] pseudo, float[] direction, LinkedList<(float[] S, float[] Y, double Rho)> history)
    {
        TensorPrimitives.Negate(pseudo, direction);
        if (history.Count == 0)
            return;
        var pairs = history.Reverse().ToArray(); // newest first
        var alphas = new double[pairs.Length];
        double dot = TensorPrimitives.Dot(pairs[0].S, direction); // s₀ · d
        for (int i = 0; i < pairs.Length; i++)
        {
            alphas[i] = pairs[i].Rho * dot;
            var next = i + 1 < pairs.Length ? pairs[i + 1].S : pairs[^1].Y; // after the last, the oldest y for the second loop
            dot = ScaleAddDot(direction, 1, (float)-alphas[i], pairs[i].Y, next);
        }
        var (_, newestY, newestRho) = pairs[0];
        double scale = 1 / (newestRho * TensorPrimitives.Dot(newestY, newestY)); // sᵀy / yᵀy
        for (int i = pairs.Length - 1; i >= 0; i--)
        {
            double beta = pairs[i].Rho * scale * dot; // ρ · yᵀ(scale · d)
            dot = ScaleAddDot(direction, (float)scale, (float)(alphas[i] - beta), pairs[i].S, i > 0 ? pairs[i - 1].Y : null);
            scale = 1;
        }
    }

    // d ← scale · d + a · v, returning u · d after the update (0 when u is null), in one pass; the dot product is summed in
    // float vectors over blocks of 4,096 and in double across blocks.
    private static double ScaleAddDot(float[] d, float scale, float a, float[] v, float[]? u)
    {
        const int Block = 4096;
        int width = Vector<float>.Count;
        var vs = new Vector<float>(scale);
        var va = new Vector<float>(a);
        double total = 0;
        for (int start = 0; start < d.Length; start += Block)
        {
            int end = Math.Min(start + Block, d.Length), i = start;
            var sum = Vector<float>.Zero;
            for (; i + width <= end; i += width)
            {
                var updated = vs * new Vector<float>(d, i) + va * new Vector<float>(v, i);
                updated.CopyTo(d, i);
                if (u is not null)
                    sum += updated * new Vector<float>(u, i);
            }
            double tail = 0;
            for (; i < end; i++)
            {
                d[i] = scale * d[i] + a * v[i];
                tail += u is null ? 0 : u[i] * (double)d[i];
            }
            total += Vector.Sum(sum) + tail;
        }
        return total;
    }

    // Adds (s, y) = (x_new − x, ∇f_new − ∇f) when it has positive curvature, reusing the oldest pair's arrays once full.
    private void Remember(LinkedList<(float[] S, float[] Y, double Rho)> history, float[] x, float[] next, float[] gradient, float[] nextGradient)
    {
        float[] s, y;
        if (history.Count == HistorySize)
        {
            (s, y, _) = history.First!.Value;
            history.RemoveFirst();
        }
        else
            (s, y) = (new float[x.Length], new float[x.Length]);
        TensorPrimitives.Subtract(next, x, s);
        TensorPrimitives.Subtract(nextGradient, gradient, y);
        double sy = TensorPrimitives.Dot(s, y);
        if (sy > 0)
            history.AddLast((s, y, 1 / sy));
    }
}
