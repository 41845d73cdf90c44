using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RetryGuard.Runtime.Tests;

/// <summary>What the gateway saw: one request.</summary>
public sealed record SeenRequest(
    int Index, DateTimeOffset ArrivedAt, string Method, string Path, string? Key, string? RequestId, byte[] Body, string? Model);

/// <summary>A scenario's script: decides the reply to each request and records what arrived.</summary>
public sealed class Scenario
{
    private readonly ConcurrentQueue<SeenRequest> _seen = new();
    private int _count;

    internal Scenario(Uri baseAddress, TimeProvider clock, Func<SeenRequest, HttpContext, Task> reply)
    {
        BaseAddress = baseAddress;
        Clock = clock;
        Reply = reply;
    }

    /// <summary>Base address of this scenario on the gateway; requests below it reach <see cref="Reply"/>.</summary>
    public Uri BaseAddress { get; }

    public TimeProvider Clock { get; }

    internal Func<SeenRequest, HttpContext, Task> Reply { get; }

    public IReadOnlyList<SeenRequest> Seen => _seen.OrderBy(r => r.Index).ToList();

    public int Count => Volatile.Read(ref _count);

    internal SeenRequest Record(HttpContext context, byte[] body)
    {
        int index = Interlocked.Increment(ref _count);
        string? model = null;
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("model", out JsonElement m))
            {
                model = m.GetString();
            }
        }
        catch (JsonException)
        {
        }

        SeenRequest seen = new(index, Clock.GetUtcNow(), context.Request.Method, context.Request.Path,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } key ? key : null,
            context.Request.Headers["x-request-id"].ToString() is { Length: > 0 } id ? id : null, body, model);
        _seen.Enqueue(seen);
        return seen;
    }
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port 0) that plays an LLM gateway. Each test registers a scenario and
/// gets its own base address, so tests of one class share one server without seeing each other's requests.
/// </summary>
public sealed class Gateway : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, Scenario> _scenarios = new();
    private WebApplication? _app;
    private Uri? _root;

    public async Task InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxConcurrentConnections = null;
        });
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _root = new Uri(address.TrimEnd('/') + "/");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>Registers a script; requests to the returned scenario's address reach it.</summary>
    public Scenario Script(TimeProvider clock, Func<SeenRequest, HttpContext, Task> reply)
    {
        string id = Guid.NewGuid().ToString("N");
        Scenario scenario = new(new Uri(_root!, $"s/{id}/"), clock, reply);
        _scenarios[id] = scenario;
        return scenario;
    }

    private async Task HandleAsync(HttpContext context)
    {
        string[] parts = context.Request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "s" || !_scenarios.TryGetValue(parts[1], out Scenario? scenario))
        {
            context.Response.StatusCode = 404;
            return;
        }

        using MemoryStream body = new();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        SeenRequest seen = scenario.Record(context, body.ToArray());
        await scenario.Reply(seen, context);
    }
}

/// <summary>Replies a gateway sends.</summary>
public static class Replies
{
    public static Task Json(HttpContext context, int status, object body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        foreach ((string name, string value) in headers)
        {
            context.Response.Headers.Append(name, value);
        }

        context.Response.ContentType = "application/json";
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }

    public static Task Text(HttpContext context, int status, string body, params (string Name, string Value)[] headers)
    {
        context.Response.StatusCode = status;
        foreach ((string name, string value) in headers)
        {
            context.Response.Headers.Append(name, value);
        }

        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(body);
    }

    public static Task Ok(HttpContext context, SeenRequest seen, params (string Name, string Value)[] headers) =>
        Json(context, 200, new { id = $"resp-{seen.Index}", model = seen.Model, usage = new { total_tokens = 10 } }, headers);

    public static Task RateLimited(HttpContext context, params (string Name, string Value)[] headers) =>
        Json(context, 429, new { error = new { code = "rate_limit_exceeded", message = "Rate limit reached for requests" } }, headers);

    public static Task DailyCap(HttpContext context, params (string Name, string Value)[] headers) =>
        Json(context, 429, new { error = new { code = "rate_limit_exceeded", message = "Daily token cap reached for this key. Resets at midnight UTC." } }, headers);

    public static Task Status(HttpContext context, int status, string code = "error") =>
        Json(context, status, new { error = new { code, message = $"status {status}" } });

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
