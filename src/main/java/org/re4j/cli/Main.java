package org.re4j.cli;
public final class Main { public static void main(String[] a) {} }
