using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Http;
using System.Reflection;

namespace RetryGuard;

/// <summary>
/// Judges failures of delegates run by <see cref="RetryGuardPolicy"/> with the same table as responses.
/// SDK exceptions are recognised without referencing their SDKs: <c>System.ClientModel.ClientResultException</c>
/// (OpenAI and other System.ClientModel clients) and <c>Azure.RequestFailedException</c> (Azure SDKs) by the full
/// names in their type hierarchy, their status through their public <c>int Status</c> property, and their
/// Retry-After through <c>GetRawResponse().Headers.TryGetValue(name, out string)</c>; each member is looked up once
/// per exception type and cached.
/// </summary>
internal static class ExceptionClassifier
{
    private static readonly string[] SdkExceptionTypes = { "System.ClientModel.ClientResultException", "Azure.RequestFailedException" };

    private static readonly ConcurrentDictionary<Type, SdkShape?> Shapes = new();

    public static Classification? Classify(Exception exception) => Classify(exception, TimeProvider.System);

    public static Classification? Classify(Exception exception, TimeProvider time)
    {
        switch (exception)
        {
            case RetryGuardException:
                // Already judged by an inner RetryGuard (a handler inside a policy): never judged twice.
                return null;
            case OperationCanceledException:
                // The pipeline rules out the caller's own cancellation before it asks: a cancellation nobody asked
                // for is a timeout inside the attempt (HttpClient.Timeout, an SDK's network timeout).
                return Classification.Transient(null, RetryReason.AttemptTimeout);
            case TimeoutException:
                return Classification.Transient(null, RetryReason.AttemptTimeout);
        }

        if (SdkShapeOf(exception.GetType()) is { } shape)
        {
            int status = shape.Status(exception);
            if (status <= 0)
            {
                return Classification.Transient(null, RetryReason.ConnectionFailure);
            }

            TimeSpan? delay = status is 429 or 503 ? shape.RetryAfter(exception, time.GetUtcNow()) : null;
            return Classification.FromStatus(status, delay, exception.Message, KeyRedactor.RedactText(ErrorBody.Message(exception.Message)));
        }

        if (exception is HttpRequestException http)
        {
            int? status = HttpRequestStatus(http);
            return status is { } s
                ? Classification.FromStatus(s, null, http.Message, KeyRedactor.RedactText(http.Message))
                : Classification.Transient(null, RetryReason.ConnectionFailure);
        }

        if (exception is IOException || exception.GetType().FullName == "System.Net.Sockets.SocketException")
        {
            return Classification.Transient(null, RetryReason.ConnectionFailure);
        }

        return null;
    }

    /// <summary><c>HttpRequestException.StatusCode</c> (net5+); read by name so the netstandard2.0 build sees it too.</summary>
    private static int? HttpRequestStatus(HttpRequestException exception)
    {
#if NET5_0_OR_GREATER
        return exception.StatusCode is { } code ? (int)code : null;
#else
        PropertyInfo? property = exception.GetType().GetProperty("StatusCode");
        return property?.GetValue(exception) is { } value ? Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) : null;
#endif
    }

    private static SdkShape? SdkShapeOf(Type type) => Shapes.GetOrAdd(type, static t =>
    {
        for (Type? current = t; current is not null && current != typeof(Exception); current = current.BaseType)
        {
            if (Array.IndexOf(SdkExceptionTypes, current.FullName) >= 0)
            {
                PropertyInfo? status = current.GetProperty("Status", BindingFlags.Public | BindingFlags.Instance);
                return status?.PropertyType == typeof(int) ? new SdkShape(status, t.GetMethod("GetRawResponse", Type.EmptyTypes)) : null;
            }
        }

        return null;
    });

    private sealed class SdkShape
    {
        private readonly PropertyInfo _status;
        private readonly MethodInfo? _getRawResponse;
        private readonly ConcurrentDictionary<Type, (PropertyInfo? Headers, MethodInfo? TryGetValue)> _responseShapes = new();

        public SdkShape(PropertyInfo status, MethodInfo? getRawResponse)
        {
            _status = status;
            _getRawResponse = getRawResponse;
        }

        public int Status(Exception exception) => _status.GetValue(exception) is int status ? status : 0;

        /// <summary>retry-after-ms, then Retry-After, from the raw response the exception carries; null when absent.</summary>
        public TimeSpan? RetryAfter(Exception exception, DateTimeOffset now)
        {
            try
            {
                object? response = _getRawResponse?.Invoke(exception, null);
                if (response is null)
                {
                    return null;
                }

                (PropertyInfo? headersProperty, MethodInfo? tryGetValue) = _responseShapes.GetOrAdd(response.GetType(), static t =>
                {
                    PropertyInfo? headers = t.GetProperty("Headers", BindingFlags.Public | BindingFlags.Instance);
                    MethodInfo? tryGet = headers?.PropertyType.GetMethod("TryGetValue", new[] { typeof(string), typeof(string).MakeByRefType() });
                    return (headers, tryGet?.ReturnType == typeof(bool) ? tryGet : null);
                });
                object? headers = headersProperty?.GetValue(response);
                if (headers is null || tryGetValue is null)
                {
                    return null;
                }

                string? Header(string name)
                {
                    object?[] args = { name, null };
                    return tryGetValue.Invoke(headers, args) is true ? args[1] as string : null;
                }

                if (RetryGuard.RetryAfter.TryParseMilliseconds(Header(RetryGuard.RetryAfter.RetryAfterMsHeader), out TimeSpan ms))
                {
                    return ms;
                }

                return RetryGuard.RetryAfter.ParseRetryAfter(Header("Retry-After"), now);
            }
            catch (Exception ex) when (ex is TargetInvocationException or InvalidOperationException or NotSupportedException)
            {
                // An SDK whose response cannot be read this way: the status alone decides.
                return null;
            }
        }
    }
}
