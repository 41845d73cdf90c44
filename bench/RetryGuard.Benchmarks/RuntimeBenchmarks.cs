using System.Net;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace RetryGuard.Benchmarks;

/// <summary>
/// The happy path: the first attempt succeeds. Each variant sends the same fresh request through its handler
/// chain into an in-memory handler that answers 200 at once, so what is measured is the policy's own work per
/// request (time and bytes), not the network.
/// </summary>
[Config(typeof(FastOperationConfig))]
[MemoryDiagnoser]
public class RuntimeBenchmarks
{
    private static readonly byte[] ChatBody =
        """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in one word."}],"max_tokens":16}"""u8.ToArray();

    private static readonly Uri Endpoint = new("http://127.0.0.1/v1/chat/completions");

    private HttpMessageInvoker _raw = null!;
    private HttpMessageInvoker _passThrough = null!;
    private HttpMessageInvoker _retryGuard = null!;
    private HttpMessageInvoker _retryGuardBucket = null!;
    private HttpMessageInvoker _polly = null!;
    private HttpMessageInvoker _standard = null!;
    private ServiceProvider _services = null!;

    /// <summary>GET without a body, or POST with a 100-byte chat-completion JSON body.</summary>
    [Params("GET", "POST")]
    public string Verb { get; set; } = "GET";

    /// <summary>
    /// Whether the in-memory handler's 200 carries the headers an OpenAI response has (its six <c>x-ratelimit-*</c>
    /// headers among them), as a real response would; otherwise it is a bare response without a header collection.
    /// Set by the paired run only.
    /// </summary>
    public bool GatewayHeaders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _raw = new HttpMessageInvoker(new OkHandler(GatewayHeaders));
        _passThrough = new HttpMessageInvoker(new PassThroughHandler(new OkHandler(GatewayHeaders)));
        _retryGuard = new HttpMessageInvoker(new RetryGuardHandler(new RetryGuardOptions(), new OkHandler(GatewayHeaders)));

        // The bucket must never make a request wait here, so the limit is far above what one core can send:
        // what is measured is the bookkeeping every request pays.
        _retryGuardBucket = new HttpMessageInvoker(new RetryGuardHandler(
            new RetryGuardOptions { RequestsPerMinute = int.MaxValue }, new OkHandler(GatewayHeaders)));

        // Polly v8 retry as its documentation shows it for HTTP: exponential with jitter, transient statuses and 429.
        ResiliencePipeline<HttpResponseMessage> pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .HandleResult(r => r.StatusCode == HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
        _polly = new HttpMessageInvoker(new PollyHandler(pipeline, new OkHandler(GatewayHeaders)));

        // The standard resilience handler with its defaults, as IHttpClientFactory builds it (loggers removed so the
        // factory's logging handlers are not counted against it).
        ServiceCollection services = new();
        services.AddHttpClient("standard")
            .ConfigurePrimaryHttpMessageHandler(() => new OkHandler(GatewayHeaders))
            .RemoveAllLoggers()
            .AddStandardResilienceHandler();
        _services = services.BuildServiceProvider();
        _standard = new HttpMessageInvoker(
            _services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler("standard"), disposeHandler: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _passThrough.Dispose();
        _retryGuard.Dispose();
        _retryGuardBucket.Dispose();
        _polly.Dispose();
        _standard.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "HttpMessageInvoker (raw)")]
    public Task<int> Raw() => Send(_raw);

    /// <summary>The floor for any handler: one <c>DelegatingHandler</c> that only hands the request on.</summary>
    [Benchmark(Description = "Empty DelegatingHandler (floor)")]
    public Task<int> PassThrough() => Send(_passThrough);

    [Benchmark(Description = "RetryGuardHandler")]
    public Task<int> RetryGuard() => Send(_retryGuard);

    [Benchmark(Description = "RetryGuardHandler + token bucket")]
    public Task<int> RetryGuardWithBucket() => Send(_retryGuardBucket);

    [Benchmark(Description = "Polly v8 retry pipeline")]
    public Task<int> Polly() => Send(_polly);

    [Benchmark(Description = "Standard resilience handler")]
    public Task<int> StandardResilience() => Send(_standard);

    private async Task<int> Send(HttpMessageInvoker invoker)
    {
        using HttpRequestMessage request = new(Verb == "GET" ? HttpMethod.Get : HttpMethod.Post, Endpoint);
        if (Verb != "GET")
        {
            ByteArrayContent content = new(ChatBody);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content = content;
        }

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    /// <summary>Answers 200 with an empty body at once (with an OpenAI response's headers, or none).</summary>
    private sealed class OkHandler : HttpMessageHandler
    {
        private readonly bool _gatewayHeaders;

        public OkHandler(bool gatewayHeaders) => _gatewayHeaders = gatewayHeaders;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = new(HttpStatusCode.OK) { RequestMessage = request };
            if (_gatewayHeaders)
            {
                HttpResponseHeaders headers = response.Headers;
                headers.TryAddWithoutValidation("Date", "Sat, 28 Nov 2026 22:00:00 GMT");
                headers.TryAddWithoutValidation("openai-processing-ms", "412");
                headers.TryAddWithoutValidation("x-request-id", "req_7f3a9c0e5b2d4e1f8a6b");
                headers.TryAddWithoutValidation("x-ratelimit-limit-requests", "10000");
                headers.TryAddWithoutValidation("x-ratelimit-limit-tokens", "2000000");
                headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "9999");
                headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "1999950");
                headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6ms");
                headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "1ms");
            }

            return Task.FromResult(response);
        }
    }

    /// <summary>A delegating handler that does nothing but hand the request on.</summary>
    private sealed class PassThroughHandler : DelegatingHandler
    {
        public PassThroughHandler(HttpMessageHandler inner)
            : base(inner)
        {
        }
    }

    /// <summary>A delegating handler that runs each request through a Polly v8 pipeline.</summary>
    private sealed class PollyHandler : DelegatingHandler
    {
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

        public PollyHandler(ResiliencePipeline<HttpResponseMessage> pipeline, HttpMessageHandler inner)
            : base(inner) => _pipeline = pipeline;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _pipeline.ExecuteAsync(
                static (state, token) => new ValueTask<HttpResponseMessage>(state.Handler.SendInner(state.Request, token)),
                (Handler: this, Request: request),
                cancellationToken).AsTask();

        private Task<HttpResponseMessage> SendInner(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(request, cancellationToken);
    }
}
