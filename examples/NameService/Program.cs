// The name service inside an ordinary ASP.NET Core app (what `makemore serve --watch` runs, plus an endpoint of the app's own).
//   dotnet run --project examples/NameService -- [MODEL.zip] [--urls http://127.0.0.1:5080]
// With no model zip it fits a trigram Kneser–Ney model on the bundled data/names.txt first (a fraction of a second).
using Makemore.ML.Counting;
using Makemore.ML.Data;
using Makemore.Service;
using Microsoft.ML;

var ml = new MLContext(seed: 0);
string model = args.FirstOrDefault(a => a.EndsWith(".zip", StringComparison.OrdinalIgnoreCase)) ?? TrainOnBundledNames(ml);

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls(NameServiceHost.Loopback(NameServiceOptions.Defaults.Port)); // loopback unless told otherwise
builder.Services.AddNameModel("names", model, watchForChanges: true); // reloaded when the file is replaced (renamed over)
var app = builder.Build();
app.MapNameService("names");                                      // GET / (page), /generate, POST /score, /complete, /model
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));    // the app's own endpoints sit beside it
app.Run();

static string TrainOnBundledNames(MLContext ml)
{
    string names = Path.Combine(AppContext.BaseDirectory, "../../../../../data/names.txt");
    if (!File.Exists(names))
        names = "data/names.txt";
    var data = ml.Data.LoadNames(names);
    var fitted = ml.Transforms.Text.MapCharactersToIds("Ids", "Name")
        .Append(ml.Makemore().Trainers.NGram(order: 3, smoothing: Smoothing.KneserNey()))
        .Fit(data);
    string path = Path.Combine(Path.GetTempPath(), "makemore-name-service.zip");
    ml.Makemore().Save(fitted, data.Schema, path);
    return path;
}
