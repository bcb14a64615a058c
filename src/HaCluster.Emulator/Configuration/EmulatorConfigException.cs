// Copyright (c) HaCluster contributors. MIT License.
// The error raised for an unreadable or invalid emulator configuration.

using System;

namespace HaCluster.Emulator;

/// <summary>The emulator configuration is malformed or inconsistent; the message names the key and value.</summary>
public sealed class EmulatorConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the offending key and value.</param>
    /// <param name="innerException">The parser error, if any.</param>
    public EmulatorConfigException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
