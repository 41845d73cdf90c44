using System;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Logging;

namespace RetryGuard.ClientModel;

/// <summary>Installs RetryGuard as the retry policy of System.ClientModel clients.</summary>
public static class RetryGuardClientPipelineOptionsExtensions
{
    /// <summary>
    /// Sets <see cref="ClientPipelineOptions.RetryPolicy"/> to a new <see cref="RetryGuardPipelinePolicy"/>, so the
    /// SDK's own <see cref="ClientRetryPolicy"/> is replaced and RetryGuard is the one retry layer of the client.
    /// </summary>
    /// <typeparam name="T">The client's options type, for example <c>OpenAIClientOptions</c>; returned for chaining.</typeparam>
    /// <param name="options">The client options, before they are passed to the client.</param>
    /// <param name="retryGuardOptions">The RetryGuard settings; copied, later changes do not apply.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException">The RetryGuard options are invalid; the message lists what to change.</exception>
    /// <exception cref="InvalidOperationException">The client options are frozen (a client was already created with them).</exception>
    public static T UseRetryGuard<T>(this T options, RetryGuardOptions retryGuardOptions)
        where T : ClientPipelineOptions =>
        UseRetryGuard(options, retryGuardOptions, null);

    /// <summary>
    /// <see cref="UseRetryGuard{T}(T, RetryGuardOptions)"/> with a logger for retries, fallbacks and escalations.
    /// </summary>
    /// <typeparam name="T">The client's options type, for example <c>OpenAIClientOptions</c>; returned for chaining.</typeparam>
    /// <param name="options">The client options, before they are passed to the client.</param>
    /// <param name="retryGuardOptions">The RetryGuard settings; copied, later changes do not apply.</param>
    /// <param name="logger">Where retries, fallbacks and escalations are logged; <see langword="null"/> for nowhere.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="ArgumentException">The RetryGuard options are invalid; the message lists what to change.</exception>
    /// <exception cref="InvalidOperationException">The client options are frozen (a client was already created with them).</exception>
    public static T UseRetryGuard<T>(this T options, RetryGuardOptions retryGuardOptions, ILogger? logger)
        where T : ClientPipelineOptions
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (retryGuardOptions is null)
        {
            throw new ArgumentNullException(nameof(retryGuardOptions));
        }

        options.RetryPolicy = new RetryGuardPipelinePolicy(retryGuardOptions, logger);
        return options;
    }

    /// <summary>
    /// Sets <see cref="ClientPipelineOptions.RetryPolicy"/> to <paramref name="policy"/>: one policy (and one limiter)
    /// shared by several clients that use the same API key.
    /// </summary>
    /// <typeparam name="T">The client's options type, for example <c>OpenAIClientOptions</c>; returned for chaining.</typeparam>
    /// <param name="options">The client options, before they are passed to the client.</param>
    /// <param name="policy">The shared policy.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="InvalidOperationException">The client options are frozen (a client was already created with them).</exception>
    public static T UseRetryGuard<T>(this T options, RetryGuardPipelinePolicy policy)
        where T : ClientPipelineOptions
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        options.RetryPolicy = policy ?? throw new ArgumentNullException(nameof(policy));
        return options;
    }
}
