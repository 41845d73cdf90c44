using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace RetryGuard;

/// <summary>
/// Per-environment API keys: one key per environment keeps a dev experiment from draining production's budget and
/// shrinks the blast radius of a leaked key.
/// </summary>
public static class ApiKeys
{
    private static readonly string[] EnvironmentVariables = { "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT" };

    /// <summary>
    /// The key named <paramref name="name"/> for the current environment, from environment variables:
    /// <c>NAME_{ENVIRONMENT}</c> first (environment from <c>DOTNET_ENVIRONMENT</c>, else <c>ASPNETCORE_ENVIRONMENT</c>,
    /// upper-cased), then <c>NAME</c>.
    /// </summary>
    /// <exception cref="ApiKeyNotFoundException">Neither is set; the message names the variables (never a value).</exception>
    public static string Require(string name) =>
        Require(name, Environment.GetEnvironmentVariable, ProcessEnvironment());

    /// <summary>
    /// As <see cref="Require(string)"/>, reading the keys from <paramref name="configuration"/> (which usually includes
    /// the environment variables). The environment comes from <c>DOTNET_ENVIRONMENT</c>, <c>ASPNETCORE_ENVIRONMENT</c>
    /// or <c>environment</c> in the configuration, else from the process environment.
    /// </summary>
    /// <exception cref="ApiKeyNotFoundException">Neither key is set; the message names them (never a value).</exception>
    public static string Require(IConfiguration configuration, string name)
    {
        if (configuration is null)
        {
            throw new ArgumentNullException(nameof(configuration));
        }

        string? environment = NonEmpty(configuration[EnvironmentVariables[0]]) ??
                              NonEmpty(configuration[EnvironmentVariables[1]]) ??
                              NonEmpty(configuration["environment"]) ??
                              ProcessEnvironment();
        return Require(name, key => configuration[key], environment);
    }

    /// <summary>The lookup behind both overloads; tests pass a dictionary instead of mutating the process.</summary>
    internal static string Require(string name, Func<string, string?> lookup) =>
        Require(name, lookup, NonEmpty(lookup(EnvironmentVariables[0])) ?? NonEmpty(lookup(EnvironmentVariables[1])));

    private static string Require(string name, Func<string, string?> lookup, string? environment)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("Name the key's variable, for example \"OPENAI_API_KEY\".", nameof(name));
        }

        List<string> tried = new();
        if (environment is not null)
        {
            tried.Add(name + "_" + Normalize(environment));
        }

        tried.Add(name);
        foreach (string candidate in tried)
        {
            string? value = NonEmpty(lookup(candidate));
            if (value is not null)
            {
                return value;
            }
        }

        string message = environment is null
            ? $"No API key found: set {name}, or set DOTNET_ENVIRONMENT and a per-environment key such as {name}_DEVELOPMENT."
            : $"No API key found for environment '{environment}': set {tried[0]} (preferred: one key per environment) or {name}.";
        throw new ApiKeyNotFoundException(message, tried.ToArray());
    }

    private static string? ProcessEnvironment() =>
        NonEmpty(Environment.GetEnvironmentVariable(EnvironmentVariables[0])) ??
        NonEmpty(Environment.GetEnvironmentVariable(EnvironmentVariables[1]));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();

    private static string Normalize(string environment)
    {
        StringBuilder text = new(environment.Length);
        foreach (char c in environment.Trim())
        {
            text.Append(char.IsLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }

        return text.ToString();
    }
}
