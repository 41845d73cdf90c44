using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>Recognises reads of the server's "wait this long" answer: Retry-After and its relatives.</summary>
internal static class RetryAfterReads
{
    public static bool IsHeaderName(string? name) =>
        name is not null &&
        (name.Equals("Retry-After", StringComparison.OrdinalIgnoreCase) ||
         name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase) ||
         name.StartsWith("x-ratelimit-reset", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>RetryAfter.GetDelay(response)</c>, <c>headers.TryGetValues("Retry-After", out ...)</c>, any call that
    /// names one of those headers, and helpers named for it (<c>GetRetryAfter</c>, <c>ParseRetryAfter</c>).
    /// </summary>
    public static bool IsRetryAfterRead(IInvocationOperation invocation, KnownSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (KnownSymbols.Is(method.ContainingType, symbols.RetryGuardRetryAfter) ||
            method.Name.IndexOf("RetryAfter", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return true;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.Value.ConstantValue is { HasValue: true, Value: string name } && IsHeaderName(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>response.Headers.RetryAfter</c>, its <c>Delta</c> and <c>Date</c>, and properties named RetryAfter.</summary>
    public static bool IsRetryAfterProperty(IPropertySymbol property, KnownSymbols symbols) =>
        property.Name.IndexOf("RetryAfter", StringComparison.OrdinalIgnoreCase) >= 0 ||
        (KnownSymbols.Is(property.ContainingType, symbols.RetryConditionHeaderValue) && property.Name is "Delta" or "Date");

    /// <summary><c>headers["Retry-After"]</c>.</summary>
    public static bool IsRetryAfterIndexer(IPropertyReferenceOperation reference)
    {
        if (!reference.Property.IsIndexer)
        {
            return false;
        }

        foreach (var argument in reference.Arguments)
        {
            if (argument.Value.ConstantValue is { HasValue: true, Value: string name } && IsHeaderName(name))
            {
                return true;
            }
        }

        return false;
    }
}
