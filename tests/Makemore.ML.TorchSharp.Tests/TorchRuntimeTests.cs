using TorchSharp;
using static TorchSharp.torch;

namespace Makemore.ML.TorchSharp.Tests;

[TestClass]
[DoNotParallelize] // libtorch's thread count and TorchSharp's initialisation are process-wide
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void EnsureLoaded_CanBeCalledRepeatedly()
    {
        TorchRuntime.EnsureLoaded();
        TorchRuntime.EnsureLoaded();

        using var sum = torch.ones(3).sum();
        Assert.AreEqual(3f, sum.item<float>());
    }

    [TestMethod]
    public void EnsureLoaded_FromManyThreads_EveryThreadCanUseTorch()
    {
        var sums = new float[8];
        Parallel.For(0, sums.Length, new ParallelOptions { MaxDegreeOfParallelism = sums.Length }, i =>
        {
            TorchRuntime.EnsureLoaded();
            using var sum = torch.full(3, i, ScalarType.Float32).sum();
            sums[i] = sum.item<float>();
        });
        CollectionAssert.AreEqual(Enumerable.Range(0, sums.Length).Select(i => 3f * i).ToArray(), sums);
    }

    [TestMethod]
    public void SoftmaxRegression_GradientSteps_DecreaseLoss()
    {
        TorchRuntime.EnsureLoaded();
        var generator = new torch.Generator(2147483647);
        using var x = torch.arange(27).repeat(4);                    // (108,) character ids
        using var y = (x + 1).remainder(27);                          // (108,) next id: a learnable bigram
        using var xEncoded = nn.functional.one_hot(x, 27).to(float32); // (108, 27)
        using var weights = torch.randn([27, 27], generator: generator).requires_grad_();

        float Step()
        {
            using var scope = torch.NewDisposeScope();
            var loss = nn.functional.cross_entropy(xEncoded.matmul(weights), y);
            weights.grad?.zero_();
            loss.backward();
            using (torch.no_grad())
                weights.sub_(weights.grad!.mul(10.0));
            return loss.item<float>();
        }

        float first = Step();
        float last = first;
        for (int i = 0; i < 50; i++)
            last = Step();

        Assert.IsLessThan(first / 2, last, $"loss went from {first} to {last}");
    }

    [TestMethod]
    public void SetThreads_One_IsWhatLibtorchReports()
    {
        TorchRuntime.EnsureLoaded();
        int before = torch.get_num_threads();
        try
        {
            TorchRuntime.SetThreads(TorchRuntime.DefaultThreadCount);

            Assert.AreEqual(1, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [TestMethod]
    public void SetThreads_Zero_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchRuntime.SetThreads(0));
    }
}
