using System;
using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RetryGuard;

/// <summary>Adds RetryGuard to HttpClients made by <c>IHttpClientFactory</c>.</summary>
public static class RetryGuardHttpClientBuilderExtensions
{
    /// <summary>
    /// Puts a <see cref="RetryGuardHandler"/> in this client's pipeline. Every handler of the client shares one limiter,
    /// so the buckets and server-requested pauses survive the factory's handler rotation. Options are validated when
    /// the first handler is built.
    /// </summary>
    public static IHttpClientBuilder AddRetryGuard(this IHttpClientBuilder builder, Action<RetryGuardOptions>? configure = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        OptionsBuilder<RetryGuardOptions> options = builder.Services.AddOptions<RetryGuardOptions>(builder.Name)
            .Configure(o => o.Name = string.IsNullOrEmpty(builder.Name) ? o.Name : builder.Name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<PipelineRegistry>();
        string name = builder.Name;
        return builder.AddHttpMessageHandler(services =>
            new RetryGuardHandler(services.GetRequiredService<PipelineRegistry>().Get(name, services)));
    }

    /// <summary>
    /// As <see cref="AddRetryGuard(IHttpClientBuilder, Action{RetryGuardOptions})"/>, binding the options from
    /// <paramref name="configuration"/> (for example <c>configuration.GetSection("RetryGuard")</c>) first:
    /// <c>MaxRetries</c>, <c>BaseDelay</c> ("00:00:01"), <c>RequestsPerMinute</c>, <c>FallbackModels:gpt-4o:0</c>, ….
    /// </summary>
    public static IHttpClientBuilder AddRetryGuard(this IHttpClientBuilder builder, IConfiguration configuration,
        Action<RetryGuardOptions>? configure = null)
    {
        if (builder is null)
        {
            throw new ArgumentNullException(nameof(builder));
        }

        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        builder.Services.AddOptions<RetryGuardOptions>(builder.Name).Configure(o => configuration.Bind(o));
        return builder.AddRetryGuard(configure);
    }

    /// <summary>One pipeline per client name for the container's lifetime.</summary>
    private sealed class PipelineRegistry : IDisposable
    {
        private readonly ConcurrentDictionary<string, Lazy<RetryPipeline>> _pipelines = new(StringComparer.Ordinal);

        public RetryPipeline Get(string name, IServiceProvider services) => _pipelines.GetOrAdd(name, n => new Lazy<RetryPipeline>(() =>
        {
            RetryGuardOptions options = services.GetRequiredService<IOptionsMonitor<RetryGuardOptions>>().Get(n);
            ILogger? logger = services.GetService<ILoggerFactory>()?.CreateLogger("RetryGuard");
            return new RetryPipeline(options, logger);
        })).Value;

        public void Dispose()
        {
            foreach (Lazy<RetryPipeline> pipeline in _pipelines.Values)
            {
                if (pipeline.IsValueCreated)
                {
                    pipeline.Value.Dispose();
                }
            }
        }
    }
}
