import { mount } from 'svelte';
import App from './App.svelte';
import { connectBackend } from './lib/backend';
import './styles.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

mount(App, { target, props: { backend: connectBackend() } });
