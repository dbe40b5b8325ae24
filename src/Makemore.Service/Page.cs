namespace Makemore.Service;

/// <summary>The page <c>GET /</c> serves: plain HTML and script, embedded in the assembly, no build step.</summary>
internal static class Page
{
    public static string Html { get; } = Read();

    private static string Read()
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream("Makemore.Service.index.html")
            ?? throw new InvalidOperationException("The page resource is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
