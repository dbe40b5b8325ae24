using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Makemore.ML.Sampling;
using Makemore.ML.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Makemore.Service;

/// <summary>The body of <c>POST /score</c>.</summary>
public sealed class ScoreRequest
{
    /// <summary>The names to score.</summary>
    public List<string?>? Names { get; set; }

    /// <summary>Lower-case each name before scoring (for models trained on lower-case names): "Emma" scores as "emma".</summary>
    public bool FoldCase { get; set; }
}

/// <summary>Maps the name service's endpoints onto an ASP.NET Core app.</summary>
public static class NameServiceEndpoints
{
    /// <summary>JSON as the service writes and reads it: snake_case names, as <c>makemore … --json</c>.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // 'jörg', not '\u0027j\u00F6rg\u0027' (answers are application/json, never HTML)
    };

    /// <summary>
    /// Maps <c>GET /</c> (the page), <c>GET /generate</c>, <c>POST /score</c>, <c>GET /complete</c> and <c>GET /model</c>
    /// for <paramref name="service"/>. A bad request is answered 400 with <c>{"error": "…"}</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapNameService(this IEndpointRouteBuilder endpoints, NameService service)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(service);
        return Map(endpoints, () => service);
    }

    /// <summary>
    /// Maps the name service's endpoints (as <see cref="MapNameService(IEndpointRouteBuilder, NameService)"/>) for the model
    /// registered as <paramref name="modelName"/> with <c>builder.Services.AddNameModel</c>, loading it now: a missing or
    /// damaged file stops the app here, not at the first request. Every request is answered by the model loaded last
    /// (reloaded when its file is replaced, if registered so), one model from its start to its end. For several models,
    /// map each under its own prefix: <c>app.MapGroup("/names").MapNameService("names")</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No model is registered under <paramref name="modelName"/>.</exception>
    public static IEndpointRouteBuilder MapNameService(this IEndpointRouteBuilder endpoints, string modelName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(modelName);
        var models = endpoints.ServiceProvider.GetService<NameModels>()
            ?? throw new InvalidOperationException($"No name model is registered: call builder.Services.AddNameModel(\"{modelName}\", \"model.zip\") before mapping it.");
        var source = models.Source(modelName);
        return Map(endpoints, () => source.Current);
    }

    // Each handler reads the current service once, so one request is answered by one model even while it is swapped.
    private static IEndpointRouteBuilder Map(IEndpointRouteBuilder endpoints, Func<NameService> current)
    {
        // The page calls the endpoints by relative URLs, so it works under a group prefix once its address ends in '/'.
        endpoints.MapGet("/", (HttpRequest request) =>
            (request.PathBase + request.Path).Value is { } path && !path.EndsWith('/')
                ? Results.Redirect(path + "/" + request.QueryString)
                : Results.Content(Page.Html, "text/html; charset=utf-8"));
        endpoints.MapGet("/model", () =>
        {
            var service = current();
            return Answer(() => new
            {
                Model = service.Model.ToString(),
                Describe = service.Model.Describe().Select(p => new[] { p.Key, p.Value }),
                Vocabulary = service.Model.Vocabulary.ToString(),
                Plausibility = service.HasPlausibility,
                Novelty = service.HasNovelty,
                Limits = service.Options,
            });
        });
        endpoints.MapGet("/generate", (HttpRequest request) =>
        {
            var service = current();
            return Answer(() =>
            {
                var query = new QueryReader(request.Query, "/generate", GenerateParameters);
                int count = query.Int("count", NameServiceOptions.Defaults.Count, 1, service.Options.MaxCount);
                int beam = query.Int("beam", 0, 0, service.Options.MaxBeam);
                return service.Generate(new GenerateRequest(count, ReadSampling(query, service.Options), query.Flag("only-new"), beam > 0 ? beam : null));
            });
        });
        endpoints.MapGet("/complete", (HttpRequest request) =>
        {
            var service = current();
            return Answer(() =>
            {
                var query = new QueryReader(request.Query, "/complete", "prefix", "top", "count", "seed");
                string prefix = query.Text("prefix") ?? throw new BadRequestException("'prefix' is missing: /complete?prefix=em");
                int top = query.Int("top", NameServiceOptions.Defaults.CompleteTop, 1, service.Model.Vocabulary.Size);
                int count = query.Int("count", NameServiceOptions.Defaults.CompleteTop, 0, service.Options.MaxCount);
                long seed = query.Long("seed", SamplingOptions.LectureSeed, 0, long.MaxValue);
                return service.Complete(prefix, top, count, seed);
            });
        });
        endpoints.MapPost("/score", async (HttpRequest request) =>
        {
            var service = current();
            ScoreRequest body;
            try
            {
                body = await ReadBody(request, service.Options.MaxBodyBytes);
            }
            catch (BadRequestException e)
            {
                return Error(e.Message);
            }
            return Answer(() => service.Score(body.Names ?? throw new BadRequestException("The body must be a JSON object with a 'names' array: {\"names\": [\"anna\"]}."), body.FoldCase));
        });
        return endpoints;
    }

    /// <summary>What <c>/generate</c> takes: the CLI's flag names.</summary>
    private static readonly string[] GenerateParameters =
    [
        "count", "beam", "only-new", "seed", "rng", "temperature", "greedy", "top-k", "top-p", "max-attempts",
        "prefix", "starts-with", "ends-with", "contains", "exclude", "min-length", "max-length", "regex",
    ];

    /// <summary>The sampling options and constraints a query names, with the CLI's flag names (<c>seed</c>, <c>top-k</c>, <c>ends-with</c>, …).</summary>
    private static SamplingOptions ReadSampling(QueryReader query, NameServiceOptions limits)
    {
        var defaults = new SamplingOptions();
        string startsWith = query.Text("starts-with") ?? "";
        if (query.Text("prefix") is { } prefix)
            startsWith = startsWith.Length == 0 ? prefix : throw new BadRequestException("Give 'prefix' or 'starts-with', not both.");
        int minLength = query.Int("min-length", NameConstraints.Defaults.MinLength, 0, limits.MaxNameLength);
        int maxLength = query.Int("max-length", limits.MaxNameLength, 1, limits.MaxNameLength);
        return new SamplingOptions
        {
            Seed = query.Long("seed", defaults.Seed, 0, long.MaxValue),
            Rng = query.Choice("rng", "lecture", "lecture", "torch") == "torch" ? SamplerRng.Torch : SamplerRng.Lecture,
            Temperature = query.Double("temperature", defaults.Temperature, 0, 1e30, minExclusive: true),
            Greedy = query.Flag("greedy"),
            TopK = query.Int("top-k", 0, 0, 1_000_000),
            TopP = query.Text("top-p") is null ? null : query.Double("top-p", 1, 0, 1, minExclusive: true),
            MaxAttempts = query.Int("max-attempts", SamplingOptions.Defaults.MaxAttempts, 1, limits.MaxAttempts),
            Constraints = new NameConstraints
            {
                StartsWith = startsWith,
                EndsWith = query.Text("ends-with") ?? "",
                Contains = query.Text("contains") ?? "",
                ExcludedCharacters = query.Text("exclude") ?? "",
                MinLength = minLength,
                MaxLength = maxLength,
                Pattern = query.Text("regex") is { Length: > 0 } regex ? regex : null,
            },
        };
    }

    // Reads the whole body (so the client always gets its answer on an intact connection), keeping at most maxBytes;
    // the server cuts off bodies beyond 4 × maxBytes (the limit is set for this request, whatever the app's default).
    private static async Task<ScoreRequest> ReadBody(HttpRequest request, int maxBytes)
    {
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = 4L * maxBytes;
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw new BadRequestException($"Send JSON (Content-Type: application/json), not {type}.");
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        long total = 0;
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk)) > 0)
            {
                total += read;
                if (total <= maxBytes)
                    buffer.Write(chunk, 0, read);
            }
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            throw new BadRequestException($"The body is larger than {maxBytes:N0} bytes ({e.Message}).");
        }
        if (total > maxBytes)
            throw new BadRequestException($"The body has {total:N0} bytes; at most {maxBytes:N0}.");
        if (buffer.Length == 0)
            throw new BadRequestException("The body is empty: send {\"names\": [\"anna\", …]}.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            string where = e.LineNumber is long line ? $" at line {line + 1}, column {e.BytePositionInLine + 1}" : "";
            throw new BadRequestException($"The body is not valid JSON{where}: send {{\"names\": [\"anna\", …]}}.");
        }
        using (document)
            return ScoreRequestOf(document.RootElement);
    }

    // The body read by hand rather than by the serializer, so that valid JSON of the wrong shape is answered with what was
    // expected and what came ({"names": "anna"} was "not valid JSON"), and a misspelt property is named, not ignored.
    private static ScoreRequest ScoreRequestOf(JsonElement body)
    {
        const string Example = "{\"names\": [\"anna\", …]}";
        if (body.ValueKind != JsonValueKind.Object)
            throw new BadRequestException($"The body must be a JSON object, got {Kind(body)}: send {Example}.");
        var request = new ScoreRequest();
        string[] known = ["names", "fold_case"];
        foreach (var property in body.EnumerateObject())
        {
            if (property.Name.Equals("names", StringComparison.OrdinalIgnoreCase))
                request.Names = property.Value.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.Array => property.Value.EnumerateArray().Select((name, i) => name.ValueKind switch
                    {
                        JsonValueKind.String => name.GetString(),
                        JsonValueKind.Null => null,
                        _ => throw new BadRequestException($"names[{i}] must be a string, got {Kind(name)}."),
                    }).ToList(),
                    _ => throw new BadRequestException($"'names' must be an array of strings, got {Kind(property.Value)}: send {Example}."),
                };
            else if (property.Name.Equals("fold_case", StringComparison.OrdinalIgnoreCase))
                request.FoldCase = property.Value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new BadRequestException($"'fold_case' must be true or false, got {Kind(property.Value)}."),
                };
            else
                throw new BadRequestException(Suggestions.Nearest(property.Name, known) is { } nearest
                    ? $"'{property.Name}' is not a property of the body; did you mean '{nearest}'?"
                    : $"'{property.Name}' is not a property of the body: send {Example}, with \"fold_case\": true to lower-case the names.");
        }
        return request;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => $"{(value.ValueKind == JsonValueKind.True ? "true" : "false")}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private static IResult Answer<T>(Func<T> work)
    {
        try
        {
            return Results.Json(work(), Json);
        }
        catch (BadRequestException e)
        {
            return Error(e.Message);
        }
    }

    private static IResult Error(string message) => Results.Json(new { Error = message }, Json, statusCode: StatusCodes.Status400BadRequest);
}
